import { SessionClosedError } from '@dwcp/core'
import { cloneFrame, type SessionFrame } from './frames.js'
import type { FrameStream, StreamProvider } from './stream-provider.js'

/** Two stream providers joined to each other, for tests that need to cut or stall one stream of a live session. */
export interface TestStreamPair {
  /** The dialling side's provider. */
  a: StreamProvider
  /** The listening side's provider. */
  b: StreamProvider
  /**
   * Cuts data stream `index` (≥ 1) in both directions, as a reset connection would: what it still carries is
   * lost, writes to it fail, and both sides are told it is lost.
   */
  cut(index: number): void
  /**
   * Stalls what side a sends on stream `index`, as a connection stuck in retransmission timeouts does: writes
   * still succeed, but nothing is delivered until {@link TestStreamPair.unstall}, and neither side is told. What
   * side b sends on it (acknowledgements) still arrives, so only the stalled chunks hold a transfer back.
   */
  stall(index: number): void
  /** Delivers, in order, what a stalled stream held, and lets later frames through. */
  unstall(index: number): void
  /** The chunk frames side a wrote, in order, with the index of the stream each went on. */
  readonly chunksSent: ReadonlyArray<{ stream: number; offsetBytes: number }>
}

interface TestStream extends FrameStream {
  dead: boolean
  /** Frames written while the stream is stalled, waiting to be delivered; undefined when it is not stalled. */
  held: SessionFrame[] | undefined
}

/** Makes a {@link TestStreamPair} of `streams` streams; frames cross on the next turn of the event loop. */
export function testStreamPair(streams: number): TestStreamPair {
  const handlers = { a: (_frame: SessionFrame): void => {}, b: (_frame: SessionFrame): void => {} }
  const lostHandlers = { a: (_stream: FrameStream): void => {}, b: (_stream: FrameStream): void => {} }
  const views: { a: TestStream[]; b: TestStream[] } = { a: [], b: [] }
  const chunksSent: Array<{ stream: number; offsetBytes: number }> = []
  const stream = (to: 'a' | 'b'): TestStream => {
    const s: TestStream = {
      dead: false,
      held: undefined,
      async write(frame) {
        if (s.dead) throw new SessionClosedError('stream cut')
        if (to === 'b' && frame.type === 'chunk')
          chunksSent.push({ stream: views.a.indexOf(s), offsetBytes: frame.offsetBytes })
        const copy = cloneFrame(frame)
        if (s.held) {
          s.held.push(copy)
          return
        }
        setImmediate(() => {
          if (!s.dead) handlers[to](copy)
        })
      },
    }
    return s
  }
  for (let i = 0; i < streams; i++) {
    views.a.push(stream('b'))
    views.b.push(stream('a'))
  }
  const provider = (side: 'a' | 'b'): StreamProvider => ({
    streams: views[side],
    setStreamCount: () => views[side].length,
    onFrame: (handler) => {
      handlers[side] = handler
    },
    onLost: () => {},
    onStreamLost: (handler) => {
      lostHandlers[side] = handler
    },
    close: () => {
      for (const s of views[side]) s.dead = true
    },
    stats: () => ({ lossRate: 0 }),
  })
  return {
    a: provider('a'),
    b: provider('b'),
    chunksSent,
    cut(index) {
      for (const side of ['a', 'b'] as const) {
        const [gone] = views[side].splice(index, 1)
        if (!gone) continue
        gone.dead = true
        lostHandlers[side](gone)
      }
    },
    stall(index) {
      const s = views.a[index]
      if (s) s.held ??= []
    },
    unstall(index) {
      const s = views.a[index]
      const held = s?.held
      if (!s || !held) return
      s.held = undefined
      setImmediate(() => {
        for (const frame of held) if (!s.dead) handlers.b(frame)
      })
    },
  }
}
