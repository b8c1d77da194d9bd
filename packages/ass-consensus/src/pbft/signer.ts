import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto'
import { InvalidArgumentError } from '@dwcp/core'
import type { ReplicaId } from './types.js'

/**
 * Signs this replica's messages and checks other replicas' signatures. PBFT's safety rests on it: a replica
 * must not be able to produce a signature another replica's `verify` accepts for a third replica.
 */
export interface PbftSigner {
  /** Signs `bytes` as this replica. */
  sign(bytes: Uint8Array): Uint8Array
  /** Whether `signature` is `replica`'s signature over `bytes`. */
  verify(replica: ReplicaId, bytes: Uint8Array, signature: Uint8Array): boolean
}

/**
 * An Ed25519 signer from node:crypto: `privateKey` is this replica's key (PEM or `KeyObject`), `publicKeys[i]`
 * replica i's public key (PEM or `KeyObject`). Verification of an unknown replica, or of a malformed signature,
 * is false rather than an exception, so a Byzantine sender cannot crash a replica.
 */
export function ed25519Signer(
  privateKey: string | KeyObject,
  publicKeys: readonly (string | KeyObject)[],
): PbftSigner {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey
  if (key.asymmetricKeyType !== 'ed25519')
    throw new InvalidArgumentError('privateKey', `must be an ed25519 key, got ${key.asymmetricKeyType}`)
  const publics = publicKeys.map((k, i) => {
    const pub = typeof k === 'string' ? createPublicKey(k) : k
    if (pub.asymmetricKeyType !== 'ed25519')
      throw new InvalidArgumentError(`publicKeys[${i}]`, 'must be an ed25519 key')
    return pub
  })
  return {
    sign: (bytes) => new Uint8Array(sign(null, bytes, key)),
    verify(replica, bytes, signature) {
      const pub = publics[replica]
      if (pub === undefined || signature.byteLength !== 64) return false
      try {
        return verify(null, bytes, pub, signature)
      } catch {
        return false
      }
    },
  }
}

/** Length of a simulation signature (a truncated HMAC-SHA256: plenty inside a simulation). */
const SIM_SIGNATURE_BYTES = 16

/**
 * Fast deterministic signers for a simulation of `n` replicas: a MAC (keyed SHA-256) under a per-replica
 * secret derived from `seed` by HMAC-SHA256. Signer i holds only secret i for signing; verification recomputes the MAC inside a closure that
 * never hands a secret out, so an object given signer i cannot produce replica j's signature (short of
 * guessing 128 bits). Not for production: every signer can verify because the keyring is shared in memory.
 */
export function simulationSigners(n: number, seed: number): PbftSigner[] {
  const secrets = Array.from({ length: n }, (_, i) =>
    createHmac('sha256', 'dwcp-pbft-sim').update(`${seed}:${i}`).digest(),
  )
  // A secret-prefixed SHA-256 truncated to 128 bits (truncation rules out length extension): one hash per
  // message instead of HMAC's two, which matters at a million messages per test run.
  const mac = (replica: number, bytes: Uint8Array): Uint8Array =>
    createHash('sha256').update(secrets[replica]!).update(bytes).digest().subarray(0, SIM_SIGNATURE_BYTES)
  const check = (replica: ReplicaId, bytes: Uint8Array, signature: Uint8Array): boolean => {
    if (!Number.isInteger(replica) || replica < 0 || replica >= n) return false
    if (signature.byteLength !== SIM_SIGNATURE_BYTES) return false
    return timingSafeEqual(mac(replica, bytes), signature)
  }
  return secrets.map((_, i) => ({
    sign: (bytes: Uint8Array) => new Uint8Array(mac(i, bytes)),
    verify: check,
  }))
}
