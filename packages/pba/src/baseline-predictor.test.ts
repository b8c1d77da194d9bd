import { isDwcpError, METRIC_NAMES, type PredictorFactory } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import type { BaselinePredictorInit } from './baseline-predictor.js'
import { ewmaPredictor } from './ewma-predictor.js'
import { harmonicMeanPredictor } from './harmonic-mean-predictor.js'
import { lastValuePredictor } from './last-value-predictor.js'
import { components, sample } from './test-support.js'

const baselines: Array<[model: string, make: (init?: BaselinePredictorInit) => PredictorFactory]> = [
  ['last-value', lastValuePredictor],
  ['ewma', ewmaPredictor],
  ['harmonic-mean', harmonicMeanPredictor],
]

function expectInvalidArgument(fn: () => unknown, argument: string): void {
  try {
    fn()
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as { data: { argument: string } }).data.argument).toBe(argument)
    return
  }
  expect.fail(`expected an InvalidArgumentError about ${argument}`)
}

describe.each(baselines)('%s predictor', (model, make) => {
  it('names its model', () => {
    const predictor = make()(components())
    expect(predictor.model).toBe(model)
    predictor.observe(sample(1))
    expect(predictor.predict().model).toBe(model)
  })

  it('refuses to predict before any observation', () => {
    const predictor = make()(components())
    expectInvalidArgument(() => predictor.predict(), 'observations')
  })

  it.each([
    ['sample.bandwidthBps', { bandwidthBps: Number.NaN }],
    ['sample.bandwidthBps', { bandwidthBps: -1 }],
    ['sample.bandwidthBps', { bandwidthBps: Number.POSITIVE_INFINITY }],
    ['sample.rttMs', { rttMs: -0.5 }],
    ['sample.jitterMs', { jitterMs: Number.NaN }],
    ['sample.lossRate', { lossRate: 1.5 }],
  ])('rejects a sample with a bad %s and keeps its state', (argument, fields) => {
    const predictor = make()(components())
    expectInvalidArgument(() => predictor.observe(sample(1, fields)), argument)
    expectInvalidArgument(() => predictor.predict(), 'observations')
  })

  it('stamps validUntil as clock.now() + horizonMs (1000 by default)', () => {
    const parts = components()
    const byDefault = make()(parts)
    const longer = make({ horizonMs: 2500 })(parts)
    byDefault.observe(sample(1))
    longer.observe(sample(1))
    parts.clock.advance(4200)
    expect(byDefault.predict().validUntil).toBe(5200)
    expect(longer.predict().validUntil).toBe(6700)
  })

  it('has confidence 0 before a scored forecast and 1 after exact ones', () => {
    const predictor = make()(components())
    predictor.observe(sample(3))
    expect(predictor.predict().confidence).toBe(0)
    expect(predictor.accuracy().samples).toBe(0)
    predictor.observe(sample(3))
    predictor.observe(sample(3))
    expect(predictor.accuracy()).toEqual({ samples: 2, meanAbsolutePercentageError: 0, accuracy: 1 })
    expect(predictor.predict().confidence).toBe(1)
  })

  it('scores exactly the forecast predict() returned, and skips observations of 0 bit/s', () => {
    const predictor = make()(components())
    const observedMbps = [1.5, 0.8, 0, 2.4, 3.1, 0.9, 1.7]
    let errorSum = 0
    let scored = 0
    predictor.observe(sample(1))
    for (const mbps of observedMbps) {
      const forecastBps = predictor.predict().bandwidthBps
      predictor.observe(sample(mbps))
      if (mbps === 0) continue
      errorSum += Math.abs(forecastBps - mbps * 1e6) / (mbps * 1e6)
      scored++
    }
    expect(scored).toBe(6)
    expect(predictor.accuracy().samples).toBe(scored)
    expect(predictor.accuracy().meanAbsolutePercentageError).toBeCloseTo(errorSum / scored, 12)
  })

  it('bounds its accuracy window (100 by default)', () => {
    const small = make({ accuracyWindow: 3 })(components())
    const byDefault = make()(components())
    for (let i = 0; i < 250; i++) {
      small.observe(sample(1 + (i % 4)))
      byDefault.observe(sample(1 + (i % 4)))
    }
    expect(small.accuracy().samples).toBe(3)
    expect(byDefault.accuracy().samples).toBe(100)
  })

  it('records prediction latency on predict and accuracy after each score, labelled by model', () => {
    const metrics = memoryMetrics()
    const parts = components(metrics)
    const predictor = make()(parts)
    predictor.observe(sample(2))
    expect(metrics.series()).toEqual([])
    predictor.predict()
    expect(metrics.series()).toEqual([
      {
        name: METRIC_NAMES.pbaPredictionLatency,
        type: 'histogram',
        labels: { model },
        value: 0,
        observations: [0],
        updates: 1,
      },
    ])
    predictor.observe(sample(1)) // every baseline forecast 2 Mbps: 100 % off, accuracy 0
    predictor.observe(sample(0)) // not scored: no gauge update
    expect(metrics.series().slice(1)).toEqual([
      {
        name: METRIC_NAMES.pbaPredictionAccuracy,
        type: 'gauge',
        labels: { model },
        value: 0,
        observations: [],
        updates: 1,
      },
    ])
  })

  it.each([
    ['horizonMs', { horizonMs: 0 }],
    ['horizonMs', { horizonMs: Number.NaN }],
    ['accuracyWindow', { accuracyWindow: 0 }],
    ['accuracyWindow', { accuracyWindow: 1e9 }],
  ])('rejects a bad %s when the factory is made', (argument, init) => {
    expectInvalidArgument(() => make(init), argument)
  })
})
