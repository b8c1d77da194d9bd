import { describe, expect, it } from 'vitest'
import { FEATURE_NAMES } from './features.js'
import {
  fitNormalization,
  forecastLogMbps,
  NormalizationAccumulator,
  normalizeRow,
  normalizeTarget,
  PINNED_FEATURE_SCALE,
  THROUGHPUT_LOG_STD_MIN,
} from './normalization.js'

const row = (logMbps: number, change: number, rtt = 0) => Float64Array.of(logMbps, change, rtt, 0, 0, 0, 0)

describe('fitNormalization', () => {
  it('centres and scales each feature, and the target (the change of log throughput)', () => {
    const n = fitNormalization([row(0, -1, 1), row(2, 1, 3)], [-0.5, 1.5])
    expect(n.names).toEqual([...FEATURE_NAMES])
    expect(n.means.slice(0, 3)).toEqual([1, 0, 2])
    expect(n.scales.slice(0, 3)).toEqual([1, 1, 1])
    expect(n.target).toEqual({ name: 'logThroughputChangeNext', mean: 0.5, scale: 1 })
    expect(Array.from(normalizeRow(row(2, 1, 3), n)).slice(0, 3)).toEqual([1, 1, 1])
    // From a last log throughput of 2 to 4 is a change of 2: (2 − 0.5) / 1.
    expect(normalizeTarget(4, 2, n)).toBe(1.5)
    expect(forecastLogMbps(normalizeTarget(0.37, 0.1, n), 0.1, n)).toBeCloseTo(0.37, 12)
    // An output of 0 is the mean change: a model that learnt nothing stays near the last value.
    expect(forecastLogMbps(0, 3, n)).toBe(3.5)
  })

  it('pins a feature that never varied, so a live value of it cannot move the model', () => {
    const n = fitNormalization([row(0, 0), row(1, 0)], [0, 1])
    expect(n.scales[2]).toBe(PINNED_FEATURE_SCALE)
    const live = normalizeRow(Float64Array.of(0, 0, Math.log1p(300), 0.05, 2, 1, 0), n)
    for (const value of live.subarray(2)) expect(Math.abs(value)).toBeLessThan(1e-28)
  })

  it('keeps a floor under the throughput and target scales', () => {
    const n = fitNormalization([row(1, 0), row(1, 0)], [0, 0])
    expect(n.scales[0]).toBe(THROUGHPUT_LOG_STD_MIN)
    expect(n.target?.scale).toBe(THROUGHPUT_LOG_STD_MIN)
  })

  it('applies the throughput shift of the scale augmentation to the statistics and to the rows', () => {
    const accumulator = new NormalizationAccumulator()
    accumulator.add(row(0, 0), Math.log(10))
    accumulator.add(row(0, 0), Math.log(1000))
    accumulator.addTarget(0)
    const n = accumulator.fit()
    expect(n.means[0]).toBeCloseTo(Math.log(100), 12)
    expect(normalizeRow(row(0, 0), n, Math.log(1000))[0]).toBeCloseTo(1, 6)
  })

  it('refuses to fit without rows or without targets', () => {
    const invalid = expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' })
    expect(() => fitNormalization([], [0])).toThrow(invalid)
    expect(() => fitNormalization([row(0, 0)], [])).toThrow(invalid)
  })

  it('will not read a model that predicts another target', () => {
    const n = {
      ...fitNormalization([row(0, 0)], [0]),
      target: { name: 'logThroughputMbpsNext', mean: 0, scale: 1 },
    }
    expect(() => forecastLogMbps(0, 0, n)).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
  })
})
