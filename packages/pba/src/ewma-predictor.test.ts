import { describe, expect, it } from 'vitest'
import { ewmaPredictor } from './ewma-predictor.js'
import { components, sample } from './test-support.js'

describe('ewmaPredictor', () => {
  it('smooths with alpha 0.3 by default: 1, 2, 4 Mbps → 1, 1.3, 2.11 Mbps', () => {
    const predictor = ewmaPredictor()(components())
    const forecastsMbps: number[] = []
    for (const mbps of [1, 2, 4]) {
      predictor.observe(sample(mbps))
      forecastsMbps.push(predictor.predict().bandwidthBps / 1e6)
    }
    expect(forecastsMbps[0]).toBeCloseTo(1, 12)
    expect(forecastsMbps[1]).toBeCloseTo(1.3, 12)
    expect(forecastsMbps[2]).toBeCloseTo(2.11, 12)
    expect(predictor.predict().model).toBe('ewma')
  })

  it('smooths every field with the given alpha', () => {
    const predictor = ewmaPredictor({ alpha: 0.5 })(components())
    predictor.observe(sample(1, { rttMs: 10, lossRate: 0, jitterMs: 4 }))
    predictor.observe(sample(2, { rttMs: 20, lossRate: 0.02, jitterMs: 0 }))
    predictor.observe(sample(4, { rttMs: 40, lossRate: 0, jitterMs: 8 }))
    const prediction = predictor.predict()
    expect(prediction.bandwidthBps).toBeCloseTo(2.75e6, 6)
    expect(prediction.rttMs).toBeCloseTo(27.5, 12)
    expect(prediction.lossRate).toBeCloseTo(0.005, 12)
    expect(prediction.jitterMs).toBeCloseTo(5, 12)
  })

  it('scores its outstanding forecasts: 1 vs 2 (50 %), 1.5 vs 4 (62.5 %) with alpha 0.5', () => {
    const predictor = ewmaPredictor({ alpha: 0.5 })(components())
    for (const mbps of [1, 2, 4]) predictor.observe(sample(mbps))
    const accuracy = predictor.accuracy()
    expect(accuracy.samples).toBe(2)
    expect(accuracy.meanAbsolutePercentageError).toBeCloseTo(0.5625, 12)
    expect(accuracy.accuracy).toBeCloseTo(0.4375, 12)
  })

  it('leaves the bandwidth average alone when a sample measured none', () => {
    const predictor = ewmaPredictor({ alpha: 0.5 })(components())
    predictor.observe(sample(2))
    predictor.observe(sample(0))
    expect(predictor.predict().bandwidthBps).toBe(2e6)
  })

  it.each([0, -0.1, 1.1, Number.NaN])('rejects alpha %s', (alpha) => {
    expect(() => ewmaPredictor({ alpha })).toThrow(/invalid alpha/)
  })
})
