import { SessionClosedError } from '@dwcp/core'
import { cloneFrame, type SessionFrame } from './frames.js'
import type { FrameStream, StreamProvider } from './stream-provider.js'

/** Two stream providers joined to each other, for tests that need to cut one stream of a live session. */
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
}

interface TestStream extends FrameStream {
  dead: boolean
}

/** Makes a {@link TestStreamPair} of `streams` streams; frames cross on the next turn of the event loop. */
export function testStreamPair(streams: number): TestStreamPair {
  const handlers = { a: (_frame: SessionFrame): void => {}, b: (_frame: SessionFrame): void => {} }
  const lostHandlers = { a: (_stream: FrameStream): void => {}, b: (_stream: FrameStream): void => {} }
  const views: { a: TestStream[]; b: TestStream[] } = { a: [], b: [] }
  const stream = (to: 'a' | 'b'): TestStream => {
    const s: TestStream = {
      dead: false,
      async write(frame) {
        if (s.dead) throw new SessionClosedError('stream cut')
        const copy = cloneFrame(frame)
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
    cut(index) {
      for (const side of ['a', 'b'] as const) {
        const [gone] = views[side].splice(index, 1)
        if (!gone) continue
        gone.dead = true
        lostHandlers[side](gone)
      }
    },
  }
}
