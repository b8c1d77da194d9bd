import { describe, expect, it } from 'vitest'
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureExtractor,
  logThroughputMbps,
  traceFeatureRows,
} from './features.js'

const path = { rttMs: 40, lossRate: 0.01, jitterMs: 3 }

describe('FeatureExtractor', () => {
  it('builds log throughput, its change, RTT, loss, jitter and time of day, in FEATURE_NAMES order', () => {
    const extractor = new FeatureExtractor()
    const first = extractor.next({ bandwidthBps: 2e6, ...path, timeOfDaySeconds: 6 * 3600 })!
    const second = extractor.next({ bandwidthBps: 8e6, ...path, timeOfDaySeconds: 18 * 3600 })!
    expect(FEATURE_NAMES).toHaveLength(FEATURE_COUNT)
    expect(first).toHaveLength(FEATURE_COUNT)
    expect(first[0]).toBeCloseTo(Math.log(2), 12)
    expect(first[1]).toBe(0) // nothing to change from yet
    expect(second[1]).toBeCloseTo(Math.log(4), 12)
    expect(second[2]).toBeCloseTo(Math.log1p(40), 12)
    expect(second[3]).toBe(0.01)
    expect(second[4]).toBeCloseTo(Math.log1p(3), 12)
    expect(first[5]).toBeCloseTo(1, 12) // 06:00 is a quarter of the way round
    expect(first[6]).toBeCloseTo(0, 12)
    expect(second[5]).toBeCloseTo(-1, 12) // 18:00, three quarters
    expect(second[6]).toBeCloseTo(0, 12)
  })

  it('leaves time of day at (0, 0) without a wall clock', () => {
    const row = new FeatureExtractor().next({ bandwidthBps: 1e6, ...path })!
    expect([row[5], row[6]]).toEqual([0, 0])
  })

  it('carries the last measured throughput over an unmeasured step, and waits for the first one', () => {
    const extractor = new FeatureExtractor()
    expect(extractor.next({ bandwidthBps: 0, ...path })).toBeUndefined()
    extractor.next({ bandwidthBps: 3e6, ...path })
    const carried = extractor.next({ bandwidthBps: 0, ...path })!
    expect(carried[0]).toBeCloseTo(Math.log(3), 12)
    expect(carried[1]).toBe(0)
  })

  it('floors tiny throughputs so the log stays finite', () => {
    expect(logThroughputMbps(1)).toBe(logThroughputMbps(1e3))
    expect(Number.isFinite(logThroughputMbps(1e-300))).toBe(true)
  })
})

describe('traceFeatureRows', () => {
  it('reads a trace as a predictor would see it, with only throughput features set', () => {
    const rows = traceFeatureRows(Float64Array.of(0, 1, 2), 10)
    expect(rows[0]).toBeUndefined()
    expect(rows[1]![0]).toBeCloseTo(Math.log(10), 12)
    expect(rows[2]![1]).toBeCloseTo(Math.log(2), 12)
    expect(Array.from(rows[2]!.subarray(2))).toEqual([0, 0, 0, 0, 0])
  })
})
