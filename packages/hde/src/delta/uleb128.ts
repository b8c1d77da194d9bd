/**
 * ULEB128 (unsigned little-endian base 128) integers, as the XBZRLE delta writes its run lengths: seven bits per
 * byte, low group first, the high bit set on every byte but the last. The reader is strict (bounded value, at
 * most five bytes, minimal form) because it parses bytes that arrived from the network.
 */
import { FrameCorruptError } from '@dwcp/core'

/** Most bytes a ULEB128 value of up to 32 bits takes (5 × 7 = 35 bits). */
export const ULEB128_MAX_BYTES = 5

/**
 * Writes `value` (a non-negative integer below 2^32) at `offset` of `out`, writing nothing past `limit`.
 *
 * @returns the offset after the value, or -1 when it does not fit before `limit`
 */
export function writeUleb128(value: number, out: Uint8Array, offset: number, limit: number): number {
  let rest = value
  let at = offset
  while (rest >= 0x80) {
    if (at >= limit) return -1
    out[at++] = (rest & 0x7f) | 0x80
    // Division instead of `>>>` keeps values above 2^31 exact.
    rest = Math.floor(rest / 128)
  }
  if (at >= limit) return -1
  out[at++] = rest
  return at
}

/** Number of bytes {@link writeUleb128} takes for `value`. */
export function uleb128Bytes(value: number): number {
  let bytes = 1
  let rest = value
  while (rest >= 0x80) {
    rest = Math.floor(rest / 128)
    bytes++
  }
  return bytes
}

/** A value read by {@link readUleb128} and the offset just after it. */
export interface Uleb128Read {
  /** The decoded value. */
  value: number
  /** Offset of the first byte after the value. */
  next: number
}

/**
 * Reads one ULEB128 value at `offset`.
 *
 * @param what - names the value in error reasons (e.g. `zero run`)
 * @throws FrameCorruptError when the value is truncated, longer than {@link ULEB128_MAX_BYTES}, not in minimal
 *   form (a redundant trailing zero group), or above `maxValue`
 */
export function readUleb128(bytes: Uint8Array, offset: number, maxValue: number, what: string): Uleb128Read {
  let value = 0
  let scale = 1
  let at = offset
  for (let count = 0; count < ULEB128_MAX_BYTES; count++) {
    if (at >= bytes.length) throw new FrameCorruptError(`${what} at byte ${offset} is truncated`)
    const byte = bytes[at++]!
    value += (byte & 0x7f) * scale
    if (value > maxValue) {
      throw new FrameCorruptError(`${what} at byte ${offset} exceeds ${maxValue}`)
    }
    if ((byte & 0x80) === 0) {
      // A last group of zero after other groups is a longer spelling of a smaller number: not canonical.
      if (byte === 0 && count > 0) throw new FrameCorruptError(`${what} at byte ${offset} is not minimal`)
      return { value, next: at }
    }
    scale *= 128
  }
  throw new FrameCorruptError(`${what} at byte ${offset} is longer than ${ULEB128_MAX_BYTES} bytes`)
}
