/**
 * The output buffer of a bounded decompressor. A decoder that knows the exact decoded size allocates it once;
 * one that knows only an upper bound grows by doubling, never past the bound. Either way a write beyond the
 * limit is refused with `DWCP_ERR_FRAME_CORRUPT` before any byte of it is stored, so a payload that expands
 * past what its frame announced (a decompression bomb) costs at most the bound.
 */
import { FrameCorruptError } from '@dwcp/core'

/** First allocation, in bytes, when only an upper bound is known: one LZ4 block or a few zstd blocks. */
const INITIAL_CAPACITY_BYTES = 64 * 1024

/** Sizes a {@link BoundedOutput} is created with. */
export interface BoundedOutputInit {
  /** Exact size, in bytes, the decoded data must have; allocated up front when given. */
  exactBytes?: number
  /** Largest size, in bytes, the decoded data may have when `exactBytes` is not given. */
  maxBytes: number
}

/** A byte buffer filled front to back that never holds more than its limit. */
export class BoundedOutput {
  /** Most bytes this output accepts: the exact size if known, else the bound. */
  readonly limitBytes: number
  readonly #exact: boolean
  #buffer: Uint8Array
  #length = 0

  /** An empty output; allocates the exact size, or a first slice of the bound. */
  constructor(init: BoundedOutputInit) {
    this.#exact = init.exactBytes !== undefined
    this.limitBytes = init.exactBytes ?? init.maxBytes
    this.#buffer = new Uint8Array(
      this.#exact ? this.limitBytes : Math.min(this.limitBytes, INITIAL_CAPACITY_BYTES),
    )
  }

  /** Bytes written so far. */
  get lengthBytes(): number {
    return this.#length
  }

  /** Bytes that may still be written before the limit is reached. */
  get remainingBytes(): number {
    return this.limitBytes - this.#length
  }

  /**
   * Free space to decode into, growing the buffer (doubling, capped at the limit) when it is full. Empty only
   * when the limit is reached. Call {@link commit} with the number of bytes written into it.
   */
  spare(): Uint8Array {
    if (this.#length === this.#buffer.length && this.#length < this.limitBytes) {
      this.#grow(this.#length + 1)
    }
    return this.#buffer.subarray(this.#length)
  }

  /** Records that `lengthBytes` bytes were written at the start of the last {@link spare} view. */
  commit(lengthBytes: number): void {
    if (
      !Number.isInteger(lengthBytes) ||
      lengthBytes < 0 ||
      this.#length + lengthBytes > this.#buffer.length
    ) {
      // A decoder reported writing outside the view it was given: a broken invariant, not bad input.
      throw new RangeError(
        `commit of ${lengthBytes} bytes at ${this.#length} overruns ${this.#buffer.length}`,
      )
    }
    this.#length += lengthBytes
  }

  /**
   * Appends `bytes`.
   *
   * @throws FrameCorruptError when they would take the output past its limit
   */
  write(bytes: Uint8Array): void {
    if (bytes.length > this.remainingBytes) throw this.overflowError(this.#length + bytes.length)
    if (this.#length + bytes.length > this.#buffer.length) this.#grow(this.#length + bytes.length)
    this.#buffer.set(bytes, this.#length)
    this.#length += bytes.length
  }

  /** The last `lengthBytes` bytes written (fewer if fewer were written), as a view. */
  tail(lengthBytes: number): Uint8Array {
    return this.#buffer.subarray(Math.max(0, this.#length - lengthBytes), this.#length)
  }

  /** The error for decoded data that reaches at least `lengthBytes`, past the limit. */
  overflowError(lengthBytes: number): FrameCorruptError {
    const limit = this.#exact ? `the announced ${this.limitBytes}` : `the bound of ${this.limitBytes}`
    return new FrameCorruptError(`decodes to at least ${lengthBytes} bytes, more than ${limit}`)
  }

  /** The bytes written, exactly; a copy when the buffer holds spare capacity, so none of it is retained. */
  finish(): Uint8Array {
    if (this.#length === this.#buffer.length) return this.#buffer
    return this.#buffer.slice(0, this.#length)
  }

  #grow(neededBytes: number): void {
    const capacity = Math.min(this.limitBytes, Math.max(neededBytes, this.#buffer.length * 2))
    const grown = new Uint8Array(capacity)
    grown.set(this.#buffer.subarray(0, this.#length))
    this.#buffer = grown
  }
}
