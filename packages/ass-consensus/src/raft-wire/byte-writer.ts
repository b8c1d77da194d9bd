import { InvalidArgumentError } from '@dwcp/core'

const encoder = new TextEncoder()
/** A lone surrogate: TextEncoder would silently replace it, so the id would not survive a round trip. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Node ids already checked and encoded: every message carries two, and a cluster has few members, so the
 * check and the encoding are done once per id instead of per message. Cleared when it would grow past
 * {@link MAX_CACHED_IDS} (ids never seen again then cost one encoding each, as before).
 */
const encodedIds = new Map<string, Uint8Array>()
const MAX_CACHED_IDS = 1024

/**
 * Appends bytes to a growing buffer. Writing a value outside the encoding's domain (a negative or fractional
 * number, an id that is not well-formed Unicode) is a caller bug and throws `InvalidArgumentError`.
 */
export class ByteWriter {
  private buffer = new Uint8Array(64)
  private length = 0

  /** The bytes written so far (a copy the caller owns). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }

  /** Writes one byte. */
  u8(value: number): void {
    this.reserve(1)
    this.buffer[this.length++] = value
  }

  /** Writes a non-negative safe integer as an unsigned LEB128 varint (at most 8 bytes for 2^53 − 1). */
  varint(name: string, value: number): void {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new InvalidArgumentError(name, `must be a non-negative safe integer, got ${String(value)}`)
    this.reserve(8)
    let rest = value
    // Division rather than bit shifts: shifts would cut the value to 32 bits.
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    this.buffer[this.length++] = rest
  }

  /** Writes a length-prefixed byte string. */
  bytes(value: Uint8Array): void {
    this.varint('length', value.byteLength)
    this.reserve(value.byteLength)
    this.buffer.set(value, this.length)
    this.length += value.byteLength
  }

  /** Writes a node id as length-prefixed UTF-8; ids must be non-empty and well-formed. */
  id(name: string, value: string): void {
    let encoded = encodedIds.get(value)
    if (encoded === undefined) {
      if (typeof value !== 'string' || value.length === 0 || LONE_SURROGATE.test(value))
        throw new InvalidArgumentError(name, 'must be a non-empty, well-formed string')
      encoded = encoder.encode(value)
      if (encodedIds.size >= MAX_CACHED_IDS) encodedIds.clear()
      encodedIds.set(value, encoded)
    }
    this.bytes(encoded)
  }

  private reserve(extraBytes: number): void {
    if (this.length + extraBytes <= this.buffer.byteLength) return
    let size = this.buffer.byteLength * 2
    while (size < this.length + extraBytes) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
  }
}
