import { isDwcpError, SessionClosedError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import type { StreamProvider, StreamStats } from '../session/stream-provider.js'
import { TransferIds } from '../wire/session-codec.js'
import { UcxLane } from './ucx-lane.js'
import { UcxLaneReader } from './ucx-lane-reader.js'
import type { UcxEndpointHandle } from './ucx-native.js'
import { LANES_MAX } from './ucx-tags.js'

/** What a {@link UcxLaneProvider} is built from. */
export interface UcxLaneProviderInit {
  /** The session's endpoint, after the handshake. */
  endpoint: UcxEndpointHandle
  /**
   * Lanes either side may send on: the lower of both sides' announced caps (at most 255). The receiver reads
   * every one of them, so a sender can use a new lane at once, without telling the peer first.
   */
  lanesMax: number
  /** Lanes this side sends on at first. */
  lanes: number
  /** Largest frame payload accepted, in bytes. */
  maxPayloadBytes: number
  /** Bytes one lane may have in uncompleted sends before its writes wait. */
  maxInFlightBytesPerLane: number
}

/**
 * The streams of one UCX session: lanes over a single endpoint. Lane 0 carries control frames and messages;
 * chunks are striped over the lanes in use. Each direction picks its own lane count; every lane up to the
 * negotiated maximum always has a reader, so growing and shrinking need no coordination. A lane that is no
 * longer in use keeps its numbering, so it can be used again. A corrupt frame or a failed endpoint ends the
 * whole session (all lanes share the endpoint).
 */
export class UcxLaneProvider implements StreamProvider {
  /** The lanes this side sends on now (lane i at index i). */
  readonly streams: UcxLane[] = []
  /** Lanes either side may use. */
  readonly lanesMax: number
  readonly #init: UcxLaneProviderInit
  readonly #ids = new TransferIds()
  readonly #lanes: UcxLane[] = []
  readonly #readers: UcxLaneReader[] = []
  #onFrame: (frame: SessionFrame) => void = () => {}
  #onLost: (error: Error) => void = () => {}
  #closed = false
  #endpointClosed: Promise<void> = Promise.resolve()

  constructor(init: UcxLaneProviderInit) {
    this.#init = init
    this.lanesMax = Math.max(1, Math.min(init.lanesMax, LANES_MAX))
    init.endpoint.on('error', (error) => this.#failed(error))
    this.setStreamCount(init.lanes)
  }

  setStreamCount(count: number): number {
    if (this.#closed) return this.streams.length
    const target = Math.max(1, Math.min(Math.floor(count), this.lanesMax))
    while (this.#lanes.length < target) {
      this.#lanes.push(
        new UcxLane({
          endpoint: this.#init.endpoint,
          lane: this.#lanes.length,
          ids: this.#ids,
          maxInFlightBytes: this.#init.maxInFlightBytesPerLane,
          onFailure: (error) => this.#failed(error),
        }),
      )
    }
    this.streams.splice(0, this.streams.length, ...this.#lanes.slice(0, target))
    return this.streams.length
  }

  /** Registers the frame handler and starts the readers of every lane. */
  onFrame(handler: (frame: SessionFrame) => void): void {
    this.#onFrame = handler
    if (this.#readers.length > 0 || this.#closed) return
    for (let lane = 0; lane < this.lanesMax; lane++) {
      const reader = new UcxLaneReader({
        endpoint: this.#init.endpoint,
        lane,
        ids: this.#ids,
        maxPayloadBytes: this.#init.maxPayloadBytes,
        onFrame: (frame) => this.#onFrame(frame),
        onError: (error) => this.#failed(error),
      })
      this.#readers.push(reader)
      reader.start()
    }
  }

  onLost(handler: (error: Error) => void): void {
    this.#onLost = handler
  }

  /** Stops the lanes and closes the endpoint, flushing what was sent (the session's close frame) first. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#shutdown('session closed', false)
  }

  /** Resolves once the endpoint is closed (never rejects). */
  whenClosed(): Promise<void> {
    return this.#endpointClosed
  }

  /** Whether the provider is closed. */
  get closed(): boolean {
    return this.#closed
  }

  stats(): StreamStats {
    // UCX delivers reliably and exposes no retransmission counters: no loss is visible at this level.
    return { lossRate: 0 }
  }

  /** `transport/device` of every UCX lane carrying data (connection-manager lanes left out); empty once closed. */
  transportsInUse(): string[] {
    if (this.#closed) return []
    try {
      const lanes = this.#init.endpoint.lanes().filter((l) => !l.transport.startsWith('cm:'))
      return [...new Set(lanes.map((l) => (l.device ? `${l.transport}/${l.device}` : l.transport)))]
    } catch {
      return []
    }
  }

  /** Whether the endpoint's data moves over RDMA verbs (false once closed). */
  usesRdma(): boolean {
    if (this.#closed) return false
    try {
      return this.#init.endpoint.usesRdma()
    } catch {
      return false
    }
  }

  /** A lane or reader failed: typed frame errors pass through, UCX failures close the session. */
  #failed(error: Error): void {
    const typed =
      isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT') || isDwcpError(error, 'DWCP_ERR_FRAME_TOO_LARGE')
        ? error
        : new SessionClosedError(`UCX endpoint failed: ${error.message}`)
    this.#fail(typed)
  }

  #fail(error: Error): void {
    if (this.#closed) return
    this.#closed = true
    this.#shutdown(error.message, true)
    this.#onLost(error)
  }

  #shutdown(reason: string, force: boolean): void {
    for (const reader of this.#readers) reader.stop()
    for (const lane of this.#lanes) lane.close(reason)
    this.#endpointClosed = this.#init.endpoint.close({ force }).catch(() => {})
  }
}
