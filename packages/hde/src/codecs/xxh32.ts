/**
 * XXH32, the 32-bit xxHash. The LZ4 frame format uses it for the header checksum byte, the optional block
 * checksums and the optional content checksum; lz4-napi decodes whole frames only (with no bound on the output),
 * so the bounded LZ4 frame reader in this folder verifies those checksums itself.
 */

const PRIME1 = 0x9e3779b1
const PRIME2 = 0x85ebca77
const PRIME3 = 0xc2b2ae3d
const PRIME4 = 0x27d4eb2f
const PRIME5 = 0x165667b1
/** Bytes consumed per step of the main loop (four 32-bit lanes). */
const STRIPE_BYTES = 16

function rotl32(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits))
}

function round(accumulator: number, lane: number): number {
  return Math.imul(rotl32((accumulator + Math.imul(lane, PRIME2)) | 0, 13), PRIME1)
}

/**
 * XXH32 of `bytes` with seed 0 (the only seed LZ4 uses), as an unsigned 32-bit integer, the value LZ4 stores
 * little-endian.
 *
 * @example
 * ```ts
 * xxh32(new Uint8Array(0)) // 0x02cc5d05
 * ```
 */
export function xxh32(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = bytes.length
  let offset = 0
  let hash: number
  if (length >= STRIPE_BYTES) {
    let v1 = (PRIME1 + PRIME2) | 0
    let v2 = PRIME2
    let v3 = 0
    let v4 = -PRIME1 | 0
    const lastStripe = length - STRIPE_BYTES
    while (offset <= lastStripe) {
      v1 = round(v1, view.getUint32(offset, true))
      v2 = round(v2, view.getUint32(offset + 4, true))
      v3 = round(v3, view.getUint32(offset + 8, true))
      v4 = round(v4, view.getUint32(offset + 12, true))
      offset += STRIPE_BYTES
    }
    hash = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0
  } else {
    hash = PRIME5
  }
  // The specification adds the length modulo 2^32.
  hash = (hash + length) | 0
  while (offset + 4 <= length) {
    hash = Math.imul(rotl32((hash + Math.imul(view.getUint32(offset, true), PRIME3)) | 0, 17), PRIME4)
    offset += 4
  }
  while (offset < length) {
    hash = Math.imul(rotl32((hash + Math.imul(bytes[offset] as number, PRIME5)) | 0, 11), PRIME1)
    offset += 1
  }
  hash ^= hash >>> 15
  hash = Math.imul(hash, PRIME2)
  hash ^= hash >>> 13
  hash = Math.imul(hash, PRIME3)
  hash ^= hash >>> 16
  return hash >>> 0
}
