import { FrameCorruptError } from '@dwcp/core'

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Reads a received message front to back. Every read checks what it announces against the bytes that remain
 * before it allocates, and every encoding is checked to be the canonical one (shortest varint, strict flag
 * values), so that a message that decodes re-encodes to exactly its input.
 */
export class ByteReader {
  private offset = 0

  constructor(private readonly input: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.input.byteLength - this.offset
  }

  /** Throws unless every byte was consumed: trailing bytes mean the sender and receiver disagree. */
  end(): void {
    if (this.remaining !== 0) throw new FrameCorruptError(`${this.remaining} trailing bytes`)
  }

  /** Reads one byte. */
  u8(field: string): number {
    if (this.remaining < 1) throw new FrameCorruptError(`truncated at ${field}`)
    return this.input[this.offset++]!
  }

  /** Reads a byte that must be below `count` (a flag or an enumeration). */
  choice(field: string, count: number): number {
    const value = this.u8(field)
    if (value >= count) throw new FrameCorruptError(`${field} has the unknown value ${value}`)
    return value
  }

  /** Reads a canonical unsigned LEB128 varint of at most 2^53 − 1. */
  varint(field: string): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const byte = this.u8(field)
      value += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) {
        // A zero last byte after the first is padding: the same number has a shorter encoding.
        if (byte === 0 && i > 0) throw new FrameCorruptError(`${field} is not minimally encoded`)
        if (!Number.isSafeInteger(value)) throw new FrameCorruptError(`${field} exceeds 2^53 - 1`)
        return value
      }
      scale *= 0x80
    }
    throw new FrameCorruptError(`${field} is longer than 8 bytes`)
  }

  /** Reads a count that must not exceed `max` and whose items need at least `minItemBytes` each. */
  count(field: string, max: number, minItemBytes: number): number {
    const value = this.varint(field)
    if (value > max) throw new FrameCorruptError(`${field} of ${value} exceeds the limit of ${max}`)
    if (value * minItemBytes > this.remaining)
      throw new FrameCorruptError(`${field} of ${value} cannot fit in ${this.remaining} bytes`)
    return value
  }

  /**
   * Reads a length-prefixed byte string into a copy (so the message does not pin the receive buffer). A small
   * copy is carved from Node's shared buffer pool rather than given an ArrayBuffer of its own: a follower keeps
   * every entry it receives until the next snapshot, and thousands of small ArrayBuffers a second each cost the
   * garbage collector's bookkeeping.
   */
  bytes(field: string, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
    const length = this.length(field, maxBytes)
    const copy = Buffer.allocUnsafe(length)
    copy.set(this.input.subarray(this.offset, this.offset + length))
    this.offset += length
    // A plain Uint8Array view, as callers expect, over the copy's memory.
    return new Uint8Array(copy.buffer, copy.byteOffset, length)
  }

  /** Reads a node id: non-empty, at most `maxBytes` of well-formed UTF-8. */
  id(field: string, maxBytes: number): string {
    const length = this.length(field, maxBytes)
    if (length === 0) throw new FrameCorruptError(`${field} is empty`)
    const view = this.input.subarray(this.offset, this.offset + length)
    this.offset += length
    try {
      return decoder.decode(view)
    } catch {
      throw new FrameCorruptError(`${field} is not valid UTF-8`)
    }
  }

  private length(field: string, maxBytes: number): number {
    const length = this.varint(`${field} length`)
    if (length > maxBytes)
      throw new FrameCorruptError(`${field} of ${length} bytes exceeds the limit of ${maxBytes}`)
    if (length > this.remaining)
      throw new FrameCorruptError(`${field} of ${length} bytes but only ${this.remaining} remain`)
    return length
  }
}
