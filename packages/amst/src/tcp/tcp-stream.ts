import type { Socket } from 'node:net'
import { SessionClosedError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import type { FrameStream } from '../session/stream-provider.js'
import { encodeFrame, encodeFrameHeader } from '../wire/frame-codec.js'
import { FrameReader } from '../wire/frame-reader.js'
import { FrameDecoder, FrameEncoder, type TransferIds } from '../wire/session-codec.js'

/**
 * Largest payload copied behind its header into one buffer; larger ones (bulk chunks) are written as they are,
 * beside their header, so that megabytes are not copied to save a write.
 */
const COPY_PAYLOAD_MAX_BYTES = 16 * 1024

/** What a {@link TcpStream} tells its provider. */
export interface TcpStreamEvents {
  /** A decoded frame arrived. */
  frame: (frame: SessionFrame) => void
  /** The stream ended: `error` is set when it failed (reset, corrupt frame) rather than closed cleanly. */
  end: (stream: TcpStream, error: Error | undefined) => void
}

/**
 * One TCP (or TLS) connection of a session, after its handshake: frames out through the session codec with
 * backpressure, bytes in through a bounded frame reader. A corrupt or oversized frame destroys this stream
 * with a typed error; the process and the other streams carry on.
 */
export class TcpStream implements FrameStream {
  readonly socket: Socket
  readonly #encoder: FrameEncoder
  readonly #decoder: FrameDecoder
  readonly #reader: FrameReader
  readonly #events: TcpStreamEvents
  readonly #maxQueuedBytes: number
  #ended = false
  #drainWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = []

  constructor(
    socket: Socket,
    ids: TransferIds,
    maxPayloadBytes: number,
    maxQueuedBytes: number,
    events: TcpStreamEvents,
  ) {
    this.socket = socket
    this.#encoder = new FrameEncoder(ids)
    this.#decoder = new FrameDecoder(ids)
    this.#reader = new FrameReader(maxPayloadBytes)
    this.#events = events
    this.#maxQueuedBytes = maxQueuedBytes
    socket.setNoDelay(true)
    socket.on('data', (bytes: Buffer) => this.#onData(bytes))
    socket.on('drain', () => this.#wake())
    socket.on('error', (error) => this.#finish(error))
    socket.on('close', () =>
      this.#finish(
        this.#reader.pendingBytes > 0 ? new SessionClosedError('stream cut mid-frame') : undefined,
      ),
    )
  }

  /** Feeds bytes that arrived together with the handshake. */
  feed(bytes: Uint8Array): void {
    if (bytes.byteLength > 0) this.#onData(bytes)
  }

  async write(frame: SessionFrame): Promise<void> {
    if (this.#ended) throw new SessionClosedError('stream closed')
    const raws = this.#encoder.encode(frame)
    const only = raws.length === 1 ? raws[0]! : undefined
    if (only !== undefined && only.payload.byteLength <= COPY_PAYLOAD_MAX_BYTES) {
      // A small frame (a control message, a Raft append) goes as one copied buffer: one plain write instead
      // of a corked pair, which costs the event loop less and leaves less garbage per message.
      this.socket.write(encodeFrame(only))
    } else {
      this.socket.cork()
      for (const raw of raws) {
        this.socket.write(encodeFrameHeader(raw))
        if (raw.payload.byteLength > 0) this.socket.write(raw.payload)
      }
      this.socket.uncork()
    }
    while (!this.#ended && this.socket.writableLength > this.#maxQueuedBytes) {
      await new Promise<void>((resolve, reject) => this.#drainWaiters.push({ resolve, reject }))
    }
    if (this.#ended && this.socket.destroyed) throw new SessionClosedError('stream closed')
  }

  get congested(): boolean {
    return !this.#ended && this.socket.writableLength > this.#maxQueuedBytes
  }

  whenWritable(): Promise<void> {
    if (!this.congested) return Promise.resolve()
    return new Promise<void>((resolve) => this.#drainWaiters.push({ resolve, reject: () => resolve() }))
  }

  /** Ends the stream after what is queued has been sent. */
  end(): void {
    if (!this.#ended) this.socket.end()
  }

  /** Destroys the stream at once. */
  destroy(error?: Error): void {
    this.socket.destroy(error)
    this.#finish(error)
  }

  #onData(bytes: Uint8Array): void {
    if (this.#ended) return
    let frames: ReturnType<FrameReader['push']>
    try {
      frames = this.#reader.push(bytes)
      for (const raw of frames) {
        const frame = this.#decoder.decode(raw)
        if (frame) this.#events.frame(frame)
      }
    } catch (error) {
      this.destroy(error as Error)
    }
  }

  #wake(): void {
    for (const waiter of this.#drainWaiters.splice(0)) waiter.resolve()
  }

  #finish(error: Error | undefined): void {
    if (this.#ended) return
    this.#ended = true
    for (const waiter of this.#drainWaiters.splice(0))
      waiter.reject(new SessionClosedError(error?.message ?? 'stream closed'))
    this.#events.end(this, error)
  }
}
