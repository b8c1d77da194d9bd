import { describe, expect, it } from 'vitest'
import { type ConvergenceState, decideNextStep, predictedStopMs } from './convergence.js'
import type { RoundStats } from './round-sender.js'

const round = (pages: number, wireBytes: number, encodeMs: number, transferMs: number): RoundStats => ({
  round: 2,
  kind: 'delta',
  pages,
  rawBytes: pages * 4096,
  wireBytes,
  durationMs: encodeMs + transferMs,
  encodeMs,
  transferMs,
  rereadBytes: 0,
})
const input = (dirtyPages: number, extra: Partial<Parameters<typeof decideNextStep>[1]> = {}) => ({
  dirtyPages,
  last: round(1000, 100_000, 50, 10),
  round: 2,
  maxRounds: 30,
  downtimeBudgetMs: 300,
  predictedBytesPerSecond: undefined,
  canThrottle: true,
  ...extra,
})
const fresh = (): ConvergenceState => ({
  previousDirty: Number.POSITIVE_INFINITY,
  stalls: 0,
  reason: 'budget',
})

describe('convergence control', () => {
  it('predicts encode time per page plus wire bytes at the last delta round’s measured rate, plus the RTT', () => {
    // 0.05 ms per page to encode, 100 bytes per page at 10 MB/s (100 000 bytes in 10 ms).
    expect(predictedStopMs(input(2000))).toBeCloseTo(2000 * 0.05 + ((2000 * 100) / 1e7) * 1000)
    // After a delta round its own rate stands, whatever the path's forecast: the stop-and-copy goes as it did.
    expect(predictedStopMs(input(2000, { predictedBytesPerSecond: 1e5 }))).toBeCloseTo(100 + 20)
    expect(predictedStopMs(input(2000, { predictedBytesPerSecond: 1e8 }))).toBeCloseTo(100 + 20)
    // After the full round the higher of its rate and the forecast is used.
    const full = { ...round(1000, 100_000, 50, 10), kind: 'full' as const }
    // (Encoding is priced at the default 0.02 ms per page until a delta round has measured it.)
    expect(predictedStopMs(input(2000, { last: full, predictedBytesPerSecond: 1e8 }))).toBeCloseTo(40 + 2)
    expect(predictedStopMs(input(2000, { last: full, predictedBytesPerSecond: 1e5 }))).toBeCloseTo(40 + 20)
    // The target's confirmation adds a round trip.
    expect(predictedStopMs(input(2000, { predictedBytesPerSecond: 1e8, rttMs: 100 }))).toBeCloseTo(220)
  })

  it('stops when the rest fits the budget, when rounds run out, and throttles then stops when rounds stall', () => {
    expect(decideNextStep(fresh(), input(100))).toBe('stop')
    const out = fresh()
    expect(decideNextStep(out, input(100_000, { round: 29 }))).toBe('stop')
    expect(out.reason).toBe('max-rounds')
    const state = fresh()
    expect(decideNextStep(state, input(50_000))).toBe('continue')
    expect(decideNextStep(state, input(49_000))).toBe('throttle')
    expect(decideNextStep(state, input(48_500, { canThrottle: false }))).toBe('stop')
    expect(state.reason).toBe('stalled')
  })
})
