import { manualClock, type PathSample, type Session } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { StreamTuner } from './stream-tuner.js'

/** A session whose goodput is a function of its stream count (a stand-in for a measured path). */
function fakeSession(goodputOf: (streams: number) => number, streams = 1): Session {
  const session = {
    streams,
    sample: (): PathSample => ({
      at: 0,
      rttMs: 50,
      bandwidthBps: goodputOf(session.streams),
      lossRate: 0,
      jitterMs: 1,
      rdma: false,
    }),
  }
  return session as unknown as Session
}

describe('StreamTuner', () => {
  it('grows while goodput grows and settles on the best count of a saturating path', () => {
    // Each stream gets 100 Mbit/s up to a 1 Gbit/s bottleneck; beyond 8 streams, contention costs 2 % each.
    const goodput = (n: number) => Math.min(n * 1e8, 1e9) * (n > 8 ? 1 - 0.02 * (n - 8) : 1)
    const session = fakeSession(goodput)
    const tuner = new StreamTuner(session, manualClock(), { maxStreams: 64 })
    for (let i = 0; i < 10; i++) tuner.step()
    expect(session.streams).toBe(8)
    expect(tuner.history.map((h) => h.streams).slice(0, 5)).toEqual([1, 2, 4, 8, 16])
  })

  it('stays within its bounds and does nothing on an idle session', () => {
    const session = fakeSession((n) => n * 1e8, 2)
    const tuner = new StreamTuner(session, manualClock(), { minStreams: 2, maxStreams: 4 })
    for (let i = 0; i < 6; i++) tuner.step()
    expect(session.streams).toBe(4)
    const idle = fakeSession(() => 0, 3)
    new StreamTuner(idle, manualClock()).step()
    expect(idle.streams).toBe(3)
  })

  it('searches again when goodput drops at the held count', () => {
    let capacity = 4e8
    const session = fakeSession((n) => Math.min(n * 1e8, capacity))
    const tuner = new StreamTuner(session, manualClock(), { maxStreams: 64 })
    for (let i = 0; i < 8; i++) tuner.step()
    const held = session.streams
    expect(held).toBe(4)
    capacity = 2e8 // the path got worse: goodput at the held count drops
    tuner.step()
    expect(session.streams).not.toBe(held)
  })

  it('runs on its clock until stopped', () => {
    const clock = manualClock()
    const session = fakeSession((n) => n * 1e8)
    const tuner = new StreamTuner(session, clock, { intervalMs: 1000, maxStreams: 8 })
    tuner.start()
    clock.advance(3500)
    expect(tuner.history.length).toBe(3)
    tuner.stop()
    clock.advance(10_000)
    expect(tuner.history.length).toBe(3)
    expect(clock.pendingTimers).toBe(0)
  })
})
