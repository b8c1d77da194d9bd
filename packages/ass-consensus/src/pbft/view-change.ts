import {
  type CertificateContext,
  certifiedCheckpoint,
  isAuthentic,
  isValidPreparedCertificate,
  primaryOf,
} from './certificates.js'
import { batchDigest, equalBytes } from './digest.js'
import type { Checkpoint, ClientRequest, NewView, PreparedCertificate, ViewChange } from './types.js'

/** One pre-prepare a new primary must issue: the batch chosen for `seq` (an empty batch is a null request). */
export interface ReissuedBatch {
  seq: number
  digest: Uint8Array
  batch: ClientRequest[]
}

/** The outcome of {@link computeNewViewBatches}: the new view starts after `minSeq` and re-proposes up to `maxSeq`. */
export interface NewViewPlan {
  /** Latest stable checkpoint among the view changes (min-s). */
  minSeq: number
  /** Its proof. */
  checkpointProof: Checkpoint[]
  /** Highest sequence number prepared in any view change (max-s), at least `minSeq`. */
  maxSeq: number
  /** One entry per sequence number in (minSeq, maxSeq], in order. */
  batches: ReissuedBatch[]
}

/**
 * Whether `vc` is well formed and proves what it claims: its checkpoint proof certifies `stableSeq`, and every
 * prepared certificate is valid, from an earlier view, inside the water marks above `stableSeq`, and the only
 * one for its sequence number. The top-level signature is checked too.
 */
export function isValidViewChange(ctx: CertificateContext, vc: ViewChange): boolean {
  if (vc.type !== 'viewChange' || vc.newView < 1 || vc.replica >= ctx.n) return false
  if (!isAuthentic(ctx.signer, vc)) return false
  if (certifiedCheckpoint(ctx, vc.stableSeq, vc.checkpointProof) === undefined) return false
  const seqs = new Set<number>()
  for (const cert of vc.prepared) {
    const { seq, view } = cert.prePrepare
    if (seq <= vc.stableSeq || seq > vc.stableSeq + ctx.watermarkWindowSeqs || seqs.has(seq)) return false
    if (view >= vc.newView || !isValidPreparedCertificate(ctx, cert)) return false
    seqs.add(seq)
  }
  return true
}

/**
 * Computes O from a set of valid view changes (Castro–Liskov §4.4): min-s is the latest stable checkpoint
 * among them; for every sequence number from min-s + 1 to the highest prepared one, the batch of the prepared
 * certificate with the highest view, or a null request where none prepared. Deterministic in the set, so a
 * backup recomputes exactly what an honest primary sent.
 */
export function computeNewViewBatches(viewChanges: readonly ViewChange[]): NewViewPlan {
  let minSeq = 0
  let checkpointProof: Checkpoint[] = []
  for (const vc of viewChanges)
    if (vc.stableSeq > minSeq) {
      minSeq = vc.stableSeq
      checkpointProof = vc.checkpointProof
    }
  const best = new Map<number, PreparedCertificate>()
  let maxSeq = minSeq
  for (const vc of viewChanges)
    for (const cert of vc.prepared) {
      const { seq, view } = cert.prePrepare
      if (seq <= minSeq) continue
      maxSeq = Math.max(maxSeq, seq)
      const current = best.get(seq)
      if (!current || view > current.prePrepare.view) best.set(seq, cert)
    }
  const batches: ReissuedBatch[] = []
  const nullDigest = batchDigest([])
  for (let seq = minSeq + 1; seq <= maxSeq; seq++) {
    const cert = best.get(seq)
    batches.push(
      cert
        ? { seq, digest: cert.prePrepare.digest, batch: cert.prePrepare.batch }
        : { seq, digest: nullDigest, batch: [] },
    )
  }
  return { minSeq, checkpointProof, maxSeq, batches }
}

/**
 * Verifies a NEW-VIEW as a backup must: signed by the primary of its view, 2f + 1 valid view changes for that
 * view from distinct replicas, and pre-prepares that are exactly O recomputed from them (same sequence numbers,
 * digests and batches, signed by the new primary in the new view). Returns the plan, or undefined to reject.
 */
export function verifyNewView(ctx: CertificateContext, nv: NewView): NewViewPlan | undefined {
  const primary = primaryOf(nv.view, ctx.n)
  if (nv.replica !== primary || !isAuthentic(ctx.signer, nv)) return undefined
  const senders = new Set<number>()
  for (const vc of nv.viewChanges) {
    if (vc.newView !== nv.view || senders.has(vc.replica) || !isValidViewChange(ctx, vc)) return undefined
    senders.add(vc.replica)
  }
  if (senders.size < 2 * ctx.f + 1) return undefined
  const plan = computeNewViewBatches(nv.viewChanges)
  if (plan.batches.length !== nv.prePrepares.length) return undefined
  for (let i = 0; i < plan.batches.length; i++) {
    const want = plan.batches[i]!
    const pp = nv.prePrepares[i]!
    if (pp.view !== nv.view || pp.replica !== primary || pp.seq !== want.seq) return undefined
    if (!equalBytes(pp.digest, want.digest) || !equalBytes(batchDigest(pp.batch), want.digest))
      return undefined
    if (!isAuthentic(ctx.signer, pp)) return undefined
  }
  return plan
}
