import { createHash } from 'node:crypto'
import { encodeBatch } from './pbft-codec.js'
import type { ClientRequest } from './types.js'

/** SHA-256 of `parts`, concatenated. */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

/** The digest a pre-prepare carries for `batch`: SHA-256 of its canonical encoding. */
export function batchDigest(batch: readonly ClientRequest[]): Uint8Array {
  return sha256(encodeBatch(batch))
}

/** Whether two byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lower-case hex of `bytes`: a map key for digests. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
