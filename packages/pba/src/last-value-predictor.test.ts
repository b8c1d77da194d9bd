import { describe, expect, it } from 'vitest'
import { lastValuePredictor } from './last-value-predictor.js'
import { components, sample } from './test-support.js'

describe('lastValuePredictor', () => {
  it('forecasts the last observed value of every field', () => {
    const predictor = lastValuePredictor()(components())
    predictor.observe(sample(1, { rttMs: 10, lossRate: 0.01, jitterMs: 1 }))
    predictor.observe(sample(2, { rttMs: 20, lossRate: 0.02, jitterMs: 2 }))
    predictor.observe(sample(4, { rttMs: 40, lossRate: 0.04, jitterMs: 4 }))
    expect(predictor.predict()).toMatchObject({
      bandwidthBps: 4e6,
      rttMs: 40,
      lossRate: 0.04,
      jitterMs: 4,
      model: 'last-value',
    })
  })

  it('scores 1 → 2 and 2 → 4 Mbps as 50 % off each', () => {
    const predictor = lastValuePredictor()(components())
    for (const mbps of [1, 2, 4]) predictor.observe(sample(mbps))
    expect(predictor.accuracy()).toEqual({ samples: 2, meanAbsolutePercentageError: 0.5, accuracy: 0.5 })
    expect(predictor.predict().confidence).toBe(0.5)
  })

  it('keeps the last measured bandwidth across a sample that measured none', () => {
    const predictor = lastValuePredictor()(components())
    predictor.observe(sample(3))
    predictor.observe(sample(0, { rttMs: 55 }))
    expect(predictor.predict()).toMatchObject({ bandwidthBps: 3e6, rttMs: 55 })
  })
})
