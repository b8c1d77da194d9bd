import { SessionClosedError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import type { FrameStream } from '../session/stream-provider.js'
import type { TcpStream } from './tcp-stream.js'

/**
 * A place for one stream in a session's stream list, filled once its connection has finished the handshake.
 * Writes wait for the connection, so a caller that raises the stream count can use the new streams at once.
 */
export class StreamSlot implements FrameStream {
  stream: TcpStream | undefined
  readonly #ready: Promise<TcpStream>
  #resolve!: (stream: TcpStream) => void
  #reject!: (error: Error) => void

  constructor(stream?: TcpStream) {
    this.#ready = new Promise<TcpStream>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.#ready.catch(() => {})
    if (stream) this.attach(stream)
  }

  /** Fills the slot. */
  attach(stream: TcpStream): void {
    this.stream = stream
    this.#resolve(stream)
  }

  /** Gives up on the slot (its dial failed or the session closed): pending writes reject. */
  fail(error: Error): void {
    this.#reject(error)
  }

  /** A slot still waiting for its connection counts as congested: writing to it would wait. */
  get congested(): boolean {
    return this.stream ? this.stream.congested : true
  }

  async whenWritable(): Promise<void> {
    try {
      const stream = this.stream ?? (await this.#ready)
      await stream.whenWritable()
    } catch {
      // A failed slot is reported through the provider; the caller re-reads the stream list.
    }
  }

  async write(frame: SessionFrame): Promise<void> {
    let stream = this.stream
    if (!stream) {
      try {
        stream = await this.#ready
      } catch (error) {
        throw new SessionClosedError((error as Error).message)
      }
    }
    await stream.write(frame)
  }
}
