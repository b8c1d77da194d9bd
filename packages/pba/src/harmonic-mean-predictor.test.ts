import { describe, expect, it } from 'vitest'
import { harmonicMeanPredictor } from './harmonic-mean-predictor.js'
import { components, sample } from './test-support.js'

describe('harmonicMeanPredictor', () => {
  it('forecasts the harmonic mean: [1, 2, 4] Mbps → 3 / (1 + 0.5 + 0.25) Mbps', () => {
    const predictor = harmonicMeanPredictor()(components())
    for (const mbps of [1, 2, 4]) predictor.observe(sample(mbps))
    const prediction = predictor.predict()
    expect(prediction.bandwidthBps).toBeCloseTo((3 / (1 + 0.5 + 0.25)) * 1e6, 6)
    expect(prediction.model).toBe('harmonic-mean')
  })

  it('averages only the last `window` samples: [1, 2, 4, 8] with window 2 → 2 / (1/4 + 1/8)', () => {
    const predictor = harmonicMeanPredictor({ window: 2 })(components())
    for (const mbps of [1, 2, 4, 8]) predictor.observe(sample(mbps))
    expect(predictor.predict().bandwidthBps).toBeCloseTo((2 / (1 / 4 + 1 / 8)) * 1e6, 6)
  })

  it('barely moves on a spike: [1, 1, 1, 1, 100] → 5 / 4.01 Mbps (the arithmetic mean is 20.8)', () => {
    const predictor = harmonicMeanPredictor()(components())
    for (const mbps of [1, 1, 1, 1, 100]) predictor.observe(sample(mbps))
    expect(predictor.predict().bandwidthBps).toBeCloseTo((5 / 4.01) * 1e6, 6)
  })

  it('scores 1 vs 2 (50 %) and 4/3 vs 4 (66.7 %)', () => {
    const predictor = harmonicMeanPredictor()(components())
    for (const mbps of [1, 2, 4]) predictor.observe(sample(mbps))
    const accuracy = predictor.accuracy()
    expect(accuracy.samples).toBe(2)
    expect(accuracy.meanAbsolutePercentageError).toBeCloseTo((0.5 + 2 / 3) / 2, 12)
    expect(predictor.predict().confidence).toBeCloseTo(1 - (0.5 + 2 / 3) / 2, 12)
  })

  it('smooths rtt, loss and jitter by EWMA with alpha (0.3 by default)', () => {
    const predictor = harmonicMeanPredictor()(components())
    predictor.observe(sample(1, { rttMs: 10, lossRate: 0, jitterMs: 1 }))
    predictor.observe(sample(1, { rttMs: 20, lossRate: 0.1, jitterMs: 11 }))
    const prediction = predictor.predict()
    expect(prediction.rttMs).toBeCloseTo(13, 12)
    expect(prediction.lossRate).toBeCloseTo(0.03, 12)
    expect(prediction.jitterMs).toBeCloseTo(4, 12)
  })

  it('leaves samples that measured no bandwidth out of the mean', () => {
    const predictor = harmonicMeanPredictor()(components())
    predictor.observe(sample(2))
    predictor.observe(sample(0))
    predictor.observe(sample(2))
    expect(predictor.predict().bandwidthBps).toBeCloseTo(2e6, 6)
    expect(predictor.accuracy().samples).toBe(1)
  })

  it.each([0, 2.5, 100_001])('rejects a window of %s', (window) => {
    expect(() => harmonicMeanPredictor({ window })).toThrow(/invalid window/)
  })
})
