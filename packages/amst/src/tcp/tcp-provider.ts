import type { Socket } from 'node:net'
import { SessionClosedError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import type { FrameStream, StreamProvider, StreamStats } from '../session/stream-provider.js'
import type { TransferIds } from '../wire/session-codec.js'
import { StreamSlot } from './stream-slot.js'
import type { TcpStream } from './tcp-stream.js'

/** What a {@link TcpStreamProvider} is built from. */
export interface TcpStreamProviderInit {
  /** Transfer ids shared by the session's streams. */
  ids: TransferIds
  /** Stream 0, already through its handshake. */
  control: TcpStream
  /** Opens stream `index` (dialling side only); undefined on the listening side, which only accepts joins. */
  dialStream?: (index: number) => Promise<TcpStream>
  /** Most streams this session may have (both sides' caps). */
  maxStreams: number
  /** Loss and RTT from the kernel (TCP_INFO), when the native addon is there. */
  stats?: (streams: readonly TcpStream[]) => StreamStats
  /** Re-dials of a lost stream before the session gives up growing back. @default 3 */
  redialAttemptsMax?: number
  /**
   * Puts one socket on a congestion control algorithm (through the native addon; a logged no-op without it).
   * Without it, {@link TcpStreamProvider.setCongestion} changes nothing.
   */
  applyCongestion?: (socket: Socket, algorithm: string) => void
}

/**
 * The streams of one TCP session: stream 0 carries control and messages; the rest carry chunks. The dialling
 * side opens streams (and re-dials one that dies); the listening side takes the joins.
 */
export class TcpStreamProvider implements StreamProvider {
  readonly streams: StreamSlot[]
  readonly #init: TcpStreamProviderInit
  #onFrame: (frame: SessionFrame) => void = () => {}
  #onLost: (error: Error) => void = () => {}
  #onStreamLost: (stream: FrameStream) => void = () => {}
  #closed = false
  #redials = 0
  /** The congestion control the session asked for, applied to every stream that joins from now on. */
  #congestion: string | undefined

  constructor(init: TcpStreamProviderInit) {
    this.#init = init
    this.streams = [new StreamSlot(init.control)]
  }

  /** The events a stream of this provider reports to (pass to each TcpStream). */
  readonly events = {
    frame: (frame: SessionFrame): void => this.#onFrame(frame),
    end: (stream: TcpStream, error: Error | undefined): void => this.#streamEnded(stream, error),
  }

  setStreamCount(count: number): number {
    if (this.#closed) return this.streams.length
    const target = Math.max(1, Math.min(count, this.#init.maxStreams))
    const dial = this.#init.dialStream
    if (!dial) return this.streams.length
    while (this.streams.length < target) this.#open(dial)
    while (this.streams.length > target) {
      const slot = this.streams.pop() as StreamSlot
      slot.stream?.end()
      slot.fail(new SessionClosedError('stream removed'))
    }
    return this.streams.length
  }

  /** Adds a stream that joined from the peer (listening side). */
  attach(stream: TcpStream): void {
    if (this.#closed || this.streams.length >= this.#init.maxStreams) {
      stream.destroy(new SessionClosedError('no room for another stream'))
      return
    }
    this.#applyCongestion(stream)
    this.streams.push(new StreamSlot(stream))
  }

  /**
   * Puts every socket of the session on `algorithm` now, and each socket that joins later (a stream added, or
   * dialled again after a loss) as it joins, overriding the transport's own `congestion` option.
   */
  setCongestion(algorithm: string): void {
    this.#congestion = algorithm
    if (this.#closed) return
    for (const slot of this.streams) if (slot.stream) this.#applyCongestion(slot.stream)
  }

  onFrame(handler: (frame: SessionFrame) => void): void {
    this.#onFrame = handler
  }

  onLost(handler: (error: Error) => void): void {
    this.#onLost = handler
  }

  onStreamLost(handler: (stream: FrameStream) => void): void {
    this.#onStreamLost = handler
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const slot of this.streams) {
      slot.stream?.end()
      slot.fail(new SessionClosedError('session closed'))
    }
  }

  stats(): StreamStats {
    const live = this.streams.map((s) => s.stream).filter((s): s is TcpStream => s !== undefined)
    return this.#init.stats?.(live) ?? { lossRate: 0 }
  }

  #open(dial: (index: number) => Promise<TcpStream>): void {
    const slot = new StreamSlot()
    const index = this.streams.length
    this.streams.push(slot)
    dial(index).then(
      (stream) => {
        if (this.#closed || !this.streams.includes(slot)) {
          stream.end()
          return
        }
        this.#applyCongestion(stream)
        slot.attach(stream)
      },
      (error: Error) => {
        slot.fail(error)
        this.#remove(slot)
      },
    )
  }

  #streamEnded(stream: TcpStream, error: Error | undefined): void {
    if (this.#closed) return
    const slot = this.streams.find((s) => s.stream === stream)
    if (!slot) return
    if (slot === this.streams[0]) {
      this.#closed = true
      for (const other of this.streams) other.stream?.destroy()
      this.#onLost(error ?? new SessionClosedError('control stream closed'))
      return
    }
    this.#remove(slot)
    // The session resends what the lost stream carried; the dialling side grows back to the count it had.
    this.#onStreamLost(slot)
    const dial = this.#init.dialStream
    // Any end of a stream still in the list is a loss (streams the session removes leave the list first).
    if (dial && this.#redials < (this.#init.redialAttemptsMax ?? 3)) {
      this.#redials++
      this.#open(dial)
    }
  }

  #applyCongestion(stream: TcpStream): void {
    if (this.#congestion !== undefined) this.#init.applyCongestion?.(stream.socket, this.#congestion)
  }

  #remove(slot: StreamSlot): void {
    const at = this.streams.indexOf(slot)
    if (at > 0) this.streams.splice(at, 1)
  }
}
