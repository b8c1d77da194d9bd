import type { Clock, Random } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import type { FrameStream, StreamProvider, StreamStats } from '../session/stream-provider.js'
import { type LinkConditions, MemoryLink } from './link.js'

interface StreamPair {
  aToB: MemoryLink
  bToA: MemoryLink
}

type Side = 'a' | 'b'

/**
 * The in-memory equivalent of a bundle of TCP connections between two sessions: a list of link pairs that
 * either side can grow or shrink. It hands each side a {@link StreamProvider}.
 */
export class MemoryConnection {
  readonly #clock: Clock
  readonly #random: Random
  readonly #conditions: LinkConditions
  readonly #maxStreams: number
  readonly #pairs: StreamPair[] = []
  readonly #retired: StreamPair[] = []
  readonly #handlers: Record<Side, (frame: SessionFrame) => void> = { a: () => {}, b: () => {} }
  readonly #lostHandlers: Record<Side, (error: Error) => void> = { a: () => {}, b: () => {} }
  readonly #views: Record<Side, FrameStream[]> = { a: [], b: [] }
  #closed = false

  constructor(clock: Clock, random: Random, conditions: LinkConditions, streams: number, maxStreams: number) {
    this.#clock = clock
    this.#random = random
    this.#conditions = conditions
    this.#maxStreams = maxStreams
    this.#resize(Math.max(1, Math.min(streams, maxStreams)))
  }

  /** The provider for one side. */
  provider(side: Side): StreamProvider {
    const other: Side = side === 'a' ? 'b' : 'a'
    return {
      streams: this.#views[side],
      setStreamCount: (count) => this.#resize(count),
      onFrame: (handler) => {
        this.#handlers[side] = handler
      },
      onLost: (handler) => {
        this.#lostHandlers[side] = handler
      },
      close: () => this.close(other),
      stats: () => this.#stats(side),
    }
  }

  /** Closes every link; the other side learns it as a lost connection. */
  close(notify?: Side): void {
    if (this.#closed) return
    this.#closed = true
    for (const pair of [...this.#pairs, ...this.#retired]) {
      pair.aToB.close()
      pair.bToA.close()
    }
    if (notify) this.#lostHandlers[notify](new Error('connection closed by peer'))
  }

  #resize(count: number): number {
    if (this.#closed) return this.#pairs.length
    const target = Math.max(1, Math.min(count, this.#maxStreams))
    while (this.#pairs.length < target) {
      const pair: StreamPair = {
        aToB: new MemoryLink(this.#clock, this.#random, this.#conditions),
        bToA: new MemoryLink(this.#clock, this.#random, this.#conditions),
      }
      pair.aToB.deliver = (frame) => this.#handlers.b(frame)
      pair.bToA.deliver = (frame) => this.#handlers.a(frame)
      this.#pairs.push(pair)
      this.#views.a.push(pair.aToB)
      this.#views.b.push(pair.bToA)
    }
    // Shrinking removes streams from the end after what they carry has been delivered: a removed link stops
    // taking new frames but keeps delivering its queue (a sender that still holds one sees a closed stream).
    while (this.#pairs.length > target) {
      this.#retired.push(this.#pairs.pop() as StreamPair)
      this.#views.a.pop()
      this.#views.b.pop()
    }
    return this.#pairs.length
  }

  #stats(side: Side): StreamStats {
    let sent = 0
    let lost = 0
    for (const pair of this.#pairs) {
      const link = side === 'a' ? pair.aToB : pair.bToA
      sent += link.counters.framesSent
      lost += link.counters.framesLost
    }
    return { lossRate: sent === 0 ? 0 : lost / sent }
  }
}
