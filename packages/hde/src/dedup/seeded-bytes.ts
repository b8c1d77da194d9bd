/**
 * Reproducible pseudo-random bytes for the dedup tests and their pinned known-answer vectors. The generator is
 * `@dwcp/core`'s `seededRandom` (sfc32), whose sequence is fixed for a seed on every platform.
 */
import { seededRandom } from '@dwcp/core'

/** `length` bytes drawn from `seededRandom(seed)`, four bytes (one 32-bit draw, big-endian) at a time. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const random = seededRandom(seed)
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i += 4) {
    // next() is a 32-bit integer divided by 2^32, so multiplying back is exact.
    const word = random.next() * 0x1_0000_0000
    bytes[i] = word >>> 24
    if (i + 1 < length) bytes[i + 1] = (word >>> 16) & 0xff
    if (i + 2 < length) bytes[i + 2] = (word >>> 8) & 0xff
    if (i + 3 < length) bytes[i + 3] = word & 0xff
  }
  return bytes
}
