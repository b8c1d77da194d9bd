import { FrameCorruptError, isDwcpError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import { completeFrame, decodeFrameHeader } from '../wire/frame-codec.js'
import { FRAME_HEADER_BYTES } from '../wire/frame-layout.js'
import { FrameDecoder, type TransferIds } from '../wire/session-codec.js'
import type { UcxEndpointHandle } from './ucx-native.js'
import { FRAME_NUMBER_MODULUS, FULL_TAG_MASK, headerTag, payloadTag } from './ucx-tags.js'

const EMPTY: Uint8Array = new Uint8Array(0)

/** What a {@link UcxLaneReader} is built from. */
export interface UcxLaneReaderInit {
  /** The session's endpoint. */
  endpoint: UcxEndpointHandle
  /** Lane number, 0 … 254. */
  lane: number
  /** Transfer ids shared by every lane of the session. */
  ids: TransferIds
  /** Largest payload accepted; a header announcing more fails with `DWCP_ERR_FRAME_TOO_LARGE`. */
  maxPayloadBytes: number
  /** Called with every decoded frame, in lane order. */
  onFrame: (frame: SessionFrame) => void
  /**
   * Called once when reading stops for a reason other than {@link UcxLaneReader.stop}: a corrupt or oversized
   * frame (`DWCP_ERR_FRAME_CORRUPT`, `DWCP_ERR_FRAME_TOO_LARGE`) or a failed endpoint (`DWCP_ERR_UCX`).
   */
  onError: (error: Error) => void
}

/**
 * The receiving half of one lane. It keeps one bounded receive posted: the next frame's 24-byte header; once
 * the header passed its checks (type, flags, length within the bound: nothing is allocated before), exactly
 * the announced payload is received, the CRC32C checked and the frame decoded. Any bad frame stops the reader
 * with a typed error.
 */
export class UcxLaneReader {
  /** Lane number. */
  readonly lane: number
  readonly #init: UcxLaneReaderInit
  readonly #decoder: FrameDecoder
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES)
  #frameNumber = 0
  #stopped = false

  constructor(init: UcxLaneReaderInit) {
    this.lane = init.lane
    this.#init = init
    this.#decoder = new FrameDecoder(init.ids)
  }

  /** Starts reading; frames and the first error go to the handlers. */
  start(): void {
    this.#run().catch((error: Error) => {
      if (this.#stopped) return
      this.#stopped = true
      this.#init.onError(error)
    })
  }

  /** Stops reading: nothing is delivered afterwards (the posted receive ends when the endpoint closes). */
  stop(): void {
    this.#stopped = true
  }

  async #run(): Promise<void> {
    const { lane } = this.#init
    while (!this.#stopped) {
      const number = this.#frameNumber
      const header = await this.#receive(this.#header, headerTag(lane, number), 'header')
      if (header.byteLength !== FRAME_HEADER_BYTES)
        throw new FrameCorruptError(`lane ${lane}: header message of ${header.byteLength} bytes`)
      const parsed = decodeFrameHeader(this.#header, this.#init.maxPayloadBytes)
      let payload: Uint8Array = EMPTY
      if (parsed.payloadBytes > 0) {
        const into = new Uint8Array(parsed.payloadBytes)
        payload = await this.#receive(into, payloadTag(lane, number), 'payload')
        if (payload.byteLength !== parsed.payloadBytes)
          throw new FrameCorruptError(
            `lane ${lane}: payload of ${payload.byteLength} bytes, the header announced ${parsed.payloadBytes}`,
          )
      }
      if (this.#stopped) return
      const frame = this.#decoder.decode(completeFrame(this.#header, parsed, payload))
      this.#frameNumber = (number + 1) % FRAME_NUMBER_MODULUS
      if (frame) this.#init.onFrame(frame)
    }
  }

  /** Receives one message into `into`; a message longer than `into` is a corrupt frame, not a UCX failure. */
  async #receive(into: Uint8Array, tag: number, part: string): Promise<Uint8Array> {
    try {
      const received = await this.#init.endpoint.recv(into, tag, FULL_TAG_MASK)
      return into.subarray(0, received.lengthBytes)
    } catch (error) {
      if (
        isDwcpError(error, 'DWCP_ERR_UCX') &&
        (error.data as { statusName?: string }).statusName === 'UCS_ERR_MESSAGE_TRUNCATED'
      )
        throw new FrameCorruptError(`lane ${this.lane}: ${part} message longer than ${into.byteLength} bytes`)
      throw error
    }
  }
}
