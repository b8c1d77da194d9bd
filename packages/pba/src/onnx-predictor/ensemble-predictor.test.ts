import { METRIC_NAMES, type Prediction, type Predictor, type PredictorFactory } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { lastValuePredictor } from '../last-value-predictor.js'
import { components, sample } from '../test-support.js'
import { combineForecasts, ensemblePredictor } from './ensemble-predictor.js'

const forecast = (fields: Partial<Prediction>): Prediction => ({
  bandwidthBps: 0,
  rttMs: 0,
  lossRate: 0,
  jitterMs: 0,
  confidence: 0,
  validUntil: 1000,
  model: 'm',
  ...fields,
})

/** A member that always forecasts `prediction` and records what it observed. */
function fixed(prediction: Prediction, seen: number[] = []): PredictorFactory {
  return (): Predictor => ({
    model: prediction.model,
    observe: (s) => void seen.push(s.bandwidthBps),
    predict: () => prediction,
    accuracy: () => ({ samples: 0, meanAbsolutePercentageError: Number.NaN, accuracy: 0 }),
  })
}

describe('combineForecasts', () => {
  it('weights each field by confidence and keeps the earliest validity', () => {
    const combined = combineForecasts([
      forecast({
        bandwidthBps: 10e6,
        rttMs: 10,
        lossRate: 0,
        jitterMs: 1,
        confidence: 0.9,
        validUntil: 2000,
      }),
      forecast({
        bandwidthBps: 1e6,
        rttMs: 100,
        lossRate: 0.04,
        jitterMs: 10,
        confidence: 0.3,
        validUntil: 1500,
      }),
    ])
    expect(combined.bandwidthBps).toBeCloseTo(0.75 * 10e6 + 0.25 * 1e6, 3)
    expect(combined.rttMs).toBeCloseTo(0.75 * 10 + 0.25 * 100, 9)
    expect(combined.lossRate).toBeCloseTo(0.01, 12)
    expect(combined.jitterMs).toBeCloseTo(3.25, 9)
    expect(combined.validUntil).toBe(1500)
  })

  it('weighs members equally while none has confidence, and ignores a member with none', () => {
    expect(
      combineForecasts([forecast({ bandwidthBps: 2 }), forecast({ bandwidthBps: 4 })]).bandwidthBps,
    ).toBe(3)
    const oneConfident = [forecast({ bandwidthBps: 2, confidence: 0.5 }), forecast({ bandwidthBps: 4 })]
    expect(combineForecasts(oneConfident).bandwidthBps).toBe(2)
  })
})

describe('ensemblePredictor', () => {
  it('feeds every member, reports the weighted forecast and scores it against the next sample', () => {
    const seenA: number[] = []
    const seenB: number[] = []
    const hybrid = ensemblePredictor({
      members: [
        fixed(forecast({ bandwidthBps: 8e6, confidence: 0.8, model: 'datacenter' }), seenA),
        fixed(forecast({ bandwidthBps: 4e6, confidence: 0.2, model: 'internet' }), seenB),
      ],
    })(components())
    hybrid.observe(sample(5))
    const prediction = hybrid.predict()
    expect(prediction).toMatchObject({ model: 'hybrid', bandwidthBps: 7.2e6, confidence: 0 })
    hybrid.observe(sample(8))
    expect(seenA).toEqual([5e6, 8e6])
    expect(seenB).toEqual([5e6, 8e6])
    expect(hybrid.accuracy().samples).toBe(1)
    expect(hybrid.accuracy().meanAbsolutePercentageError).toBeCloseTo(0.1, 12)
    expect(hybrid.predict().confidence).toBeCloseTo(0.9, 12)
  })

  it('works over real predictors and checks samples through them', () => {
    const hybrid = ensemblePredictor({ members: [lastValuePredictor(), lastValuePredictor()] })(components())
    expect(() => hybrid.predict()).toThrow(expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }))
    hybrid.observe(sample(3))
    expect(hybrid.predict().bandwidthBps).toBe(3e6)
    expect(() => hybrid.observe(sample(-1))).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
  })

  it('records its latency and accuracy labelled with its own model, and its members record theirs', () => {
    const metrics = memoryMetrics()
    const hybrid = ensemblePredictor({ members: [lastValuePredictor(), lastValuePredictor()] })(
      components(metrics),
    )
    hybrid.observe(sample(4))
    hybrid.predict()
    hybrid.observe(sample(5)) // 4 Mbit/s forecast, 5 seen: 20 % off
    const hybridModel = { model: 'hybrid' }
    expect(metrics.histogramCount(METRIC_NAMES.pbaPredictionLatency, hybridModel)).toBe(1)
    expect(metrics.gaugeValue(METRIC_NAMES.pbaPredictionAccuracy, hybridModel)).toBeCloseTo(0.8, 12)
    expect(metrics.histogramCount(METRIC_NAMES.pbaPredictionLatency, { model: 'last-value' })).toBe(2)
  })

  it('needs at least one member', () => {
    expect(() => ensemblePredictor({ members: [] })).toThrow(/member/)
  })
})
