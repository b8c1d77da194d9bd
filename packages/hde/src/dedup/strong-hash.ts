/**
 * The strong hash that names a chunk in a `dedup-ref` frame: SHA-256.
 *
 * Why SHA-256 from `node:crypto` rather than a JavaScript BLAKE3: OpenSSL uses the CPU's SHA extensions
 * (SHA-NI on x86, the ARMv8 crypto extensions), which hash at about 1.6 GB/s per core on the hosts DWCP targets,
 * faster than the chunker itself, while BLAKE3 in JavaScript or WebAssembly runs at a fraction of that and would
 * become the bottleneck of every transfer. It also adds no dependency and is available in every Node.js build.
 * A reference names content the receiver already holds, so the hash must be collision resistant: a collision
 * would silently hand the receiver the wrong bytes.
 */
import { createHash } from 'node:crypto'

/** Size of a chunk's strong hash, in bytes: the exact payload size of a `dedup-ref` frame. */
export const STRONG_HASH_BYTES = 32

/** The SHA-256 digest of `chunk` (32 bytes). */
export function strongHash(chunk: Uint8Array): Uint8Array {
  // A copy, so the digest never aliases a buffer Node.js might share with other allocations.
  return new Uint8Array(createHash('sha256').update(chunk).digest())
}

/** The key a dedup index files a hash under: its lowercase hex form (64 characters). */
export function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex')
}
