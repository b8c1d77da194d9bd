import { batchDigest, equalBytes, toHex } from './digest.js'
import { signingBytes } from './pbft-codec.js'
import type { PbftSigner } from './signer.js'
import type { Checkpoint, PbftMessage, PreparedCertificate, ReplicaId } from './types.js'

/** What checking a certificate needs to know about the group. */
export interface CertificateContext {
  n: number
  f: number
  signer: PbftSigner
  /** Width of the water-mark window (L). */
  watermarkWindowSeqs: number
}

/** The primary of `view`. */
export function primaryOf(view: number, n: number): ReplicaId {
  return view % n
}

/** Whether `message` carries a valid signature of the replica it names. */
export function isAuthentic(signer: PbftSigner, message: PbftMessage): boolean {
  if (!Number.isInteger(message.replica) || message.replica < 0) return false
  return signer.verify(message.replica, signingBytes(message), message.signature)
}

/** Signs `message` in place with `signer` and returns it. */
export function signed<M extends PbftMessage>(signer: PbftSigner, message: M): M {
  message.signature = signer.sign(signingBytes(message))
  return message
}

/**
 * The state digest certified by `proof` for `seq`: 2f + 1 checkpoint messages from distinct replicas, all
 * for `seq`, all with the same digest, all authentic. Undefined when the proof does not hold. Sequence
 * number 0 (the initial state) needs no proof.
 */
export function certifiedCheckpoint(
  ctx: CertificateContext,
  seq: number,
  proof: readonly Checkpoint[],
): Uint8Array | undefined {
  if (seq === 0) return proof.length === 0 ? new Uint8Array(32) : undefined
  const first = proof[0]
  if (!first || proof.length < 2 * ctx.f + 1) return undefined
  const seen = new Set<ReplicaId>()
  for (const cp of proof) {
    if (cp.type !== 'checkpoint' || cp.seq !== seq || cp.replica >= ctx.n || seen.has(cp.replica))
      return undefined
    if (!equalBytes(cp.stateDigest, first.stateDigest) || !isAuthentic(ctx.signer, cp)) return undefined
    seen.add(cp.replica)
  }
  return first.stateDigest
}

/**
 * Whether `cert` proves its batch prepared: a pre-prepare signed by the primary of its view whose digest
 * matches the batch, and 2f prepares from distinct backups of that view for the same sequence number and
 * digest, all authentic.
 */
export function isValidPreparedCertificate(ctx: CertificateContext, cert: PreparedCertificate): boolean {
  const pp = cert.prePrepare
  if (pp.type !== 'prePrepare' || pp.replica !== primaryOf(pp.view, ctx.n)) return false
  if (!equalBytes(pp.digest, batchDigest(pp.batch)) || !isAuthentic(ctx.signer, pp)) return false
  const from = new Set<ReplicaId>()
  for (const p of cert.prepares) {
    if (p.type !== 'prepare' || p.view !== pp.view || p.seq !== pp.seq || !equalBytes(p.digest, pp.digest))
      return false
    if (p.replica === pp.replica || p.replica >= ctx.n || from.has(p.replica)) return false
    if (!isAuthentic(ctx.signer, p)) return false
    from.add(p.replica)
  }
  return from.size >= 2 * ctx.f
}

/** Counts distinct replicas whose vote in `votes` carries `digest`. */
export function countMatching(
  votes: ReadonlyMap<ReplicaId, { digest: Uint8Array }>,
  digest: Uint8Array,
): number {
  const key = toHex(digest)
  let count = 0
  for (const vote of votes.values()) if (toHex(vote.digest) === key) count++
  return count
}
