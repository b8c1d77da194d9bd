import { SessionClosedError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import type { FrameStream } from '../session/stream-provider.js'
import { encodeFrameHeader } from '../wire/frame-codec.js'
import { FrameEncoder, type TransferIds } from '../wire/session-codec.js'
import type { UcxEndpointHandle } from './ucx-native.js'
import { FRAME_NUMBER_MODULUS, headerTag, payloadTag } from './ucx-tags.js'

/** What a {@link UcxLane} is built from. */
export interface UcxLaneInit {
  /** The session's endpoint. */
  endpoint: UcxEndpointHandle
  /** Lane number, 0 … 254. */
  lane: number
  /** Transfer ids shared by every lane of the session. */
  ids: TransferIds
  /** Bytes the lane may have in sends UCX has not completed before `write` waits. */
  maxInFlightBytes: number
  /** Called when a send fails (the endpoint is gone or misused): the session cannot go on. */
  onFailure: (error: Error) => void
}

/**
 * The sending half of one lane: frames become a header message and (when not empty) a payload message with the
 * lane's next tags. Sends are posted in call order, so the lane stays ordered; `write` waits while more than
 * `maxInFlightBytes` are in sends UCX has not completed. As with a socket, the caller must leave a frame's bytes
 * unchanged until the lane no longer needs them (UCX may read them in place, zero-copy).
 */
export class UcxLane implements FrameStream {
  /** Lane number. */
  readonly lane: number
  readonly #endpoint: UcxEndpointHandle
  readonly #encoder: FrameEncoder
  readonly #maxInFlightBytes: number
  readonly #onFailure: (error: Error) => void
  #frameNumber = 0
  #inFlightBytes = 0
  #closed: Error | undefined
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = []

  constructor(init: UcxLaneInit) {
    this.lane = init.lane
    this.#endpoint = init.endpoint
    this.#encoder = new FrameEncoder(init.ids)
    this.#maxInFlightBytes = init.maxInFlightBytes
    this.#onFailure = init.onFailure
  }

  /** Bytes in sends that have not completed yet. */
  get inFlightBytes(): number {
    return this.#inFlightBytes
  }

  async write(frame: SessionFrame): Promise<void> {
    if (this.#closed) throw this.#closed
    for (const raw of this.#encoder.encode(frame)) {
      const number = this.#frameNumber
      this.#frameNumber = (number + 1) % FRAME_NUMBER_MODULUS
      this.#post(encodeFrameHeader(raw), headerTag(this.lane, number))
      if (raw.payload.byteLength > 0) this.#post(raw.payload, payloadTag(this.lane, number))
    }
    while (!this.#closed && this.#inFlightBytes > this.#maxInFlightBytes) {
      await new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }))
    }
    if (this.#closed) throw this.#closed
  }

  /** Stops the lane: waiting and later writes reject with `DWCP_ERR_SESSION_CLOSED`. */
  close(reason = 'lane closed'): void {
    if (this.#closed) return
    this.#closed = new SessionClosedError(reason)
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#closed)
  }

  #post(bytes: Uint8Array, tag: number): void {
    this.#inFlightBytes += bytes.byteLength
    // UcxEndpoint.send hands the buffer to UCX before its first await, so sends are posted in call order.
    this.#endpoint.send(bytes, tag).then(
      () => this.#settled(bytes.byteLength),
      (error: Error) => {
        this.#settled(bytes.byteLength)
        if (!this.#closed) this.#onFailure(error)
      },
    )
  }

  #settled(lengthBytes: number): void {
    this.#inFlightBytes -= lengthBytes
    if (this.#inFlightBytes > this.#maxInFlightBytes) return
    for (const waiter of this.#waiters.splice(0)) waiter.resolve()
  }
}
