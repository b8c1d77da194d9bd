import { FrameCorruptError } from '@dwcp/core'
import { completeFrame, decodeFrameHeader, type FrameHeader } from './frame-codec.js'
import { FRAME_HEADER_BYTES, type RawFrame } from './frame-layout.js'

/**
 * Turns the bytes of one stream, in whatever pieces they arrive, into frames. Memory is bounded: at most one
 * header and one payload (whose length was checked against the bound before it was allocated) are held.
 */
export class FrameReader {
  readonly #maxPayloadBytes: number
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES)
  #headerFill = 0
  #parsed: FrameHeader | undefined
  #payload: Uint8Array | undefined
  #payloadFill = 0
  #failed = false

  constructor(maxPayloadBytes: number) {
    this.#maxPayloadBytes = maxPayloadBytes
  }

  /**
   * Consumes `bytes` and returns the frames they complete. Throws FrameCorruptError / FrameTooLargeError on the
   * first bad frame; the reader is then unusable (the stream must be closed).
   */
  push(bytes: Uint8Array): RawFrame[] {
    if (this.#failed) throw new FrameCorruptError('stream already failed')
    const frames: RawFrame[] = []
    let at = 0
    try {
      while (at < bytes.byteLength) {
        if (!this.#parsed) {
          const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, bytes.byteLength - at)
          this.#header.set(bytes.subarray(at, at + take), this.#headerFill)
          this.#headerFill += take
          at += take
          if (this.#headerFill < FRAME_HEADER_BYTES) break
          this.#parsed = decodeFrameHeader(this.#header, this.#maxPayloadBytes)
          this.#payload = new Uint8Array(this.#parsed.payloadBytes)
          this.#payloadFill = 0
        }
        const payload = this.#payload as Uint8Array
        const take = Math.min(payload.byteLength - this.#payloadFill, bytes.byteLength - at)
        payload.set(bytes.subarray(at, at + take), this.#payloadFill)
        this.#payloadFill += take
        at += take
        if (this.#payloadFill < payload.byteLength) break
        frames.push(completeFrame(this.#header, this.#parsed, payload))
        this.#parsed = undefined
        this.#payload = undefined
        this.#headerFill = 0
      }
    } catch (error) {
      this.#failed = true
      throw error
    }
    return frames
  }

  /** Bytes of a frame started but not finished (a clean end of stream has none). */
  get pendingBytes(): number {
    return this.#headerFill + this.#payloadFill
  }
}
