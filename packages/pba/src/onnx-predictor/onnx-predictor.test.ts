import { isDwcpError, METRIC_NAMES, type PathSample } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { forwardGru } from '../model/gru-model.js'
import { components, sample } from '../test-support.js'
import { FeatureExtractor } from '../training/features.js'
import { forecastLogMbps, normalizeRow } from '../training/normalization.js'
import { loadForecastModel } from './forecast-model.js'
import { onnxPredictor } from './onnx-predictor.js'
import { recordingLogger, type TinyModel, tinyModel } from './test-support.js'

/** The forecast (bit/s) a model should give after `samples`, computed with the TS reference forward pass. */
function referenceForecastBps(model: TinyModel, samples: PathSample[], historySteps: number): number {
  const extractor = new FeatureExtractor()
  const rows = samples.map((s) => extractor.next(s)!).slice(-historySteps)
  const output = forwardGru(
    model.weights,
    rows.map((row) => normalizeRow(row, model.normalization)),
  )
  return Math.exp(forecastLogMbps(output, rows.at(-1)![0]!, model.normalization)) * 1e6
}

const harmonicMean = (values: number[]): number => values.length / values.reduce((sum, v) => sum + 1 / v, 0)

describe('onnxPredictor', () => {
  it('serves the harmonic mean until the history is full, then the model forecast', async () => {
    const model = tinyModel({ historySteps: 3 })
    const parts = components()
    const predictor = onnxPredictor({ model: model.bytes, name: 'tiny' })(parts)
    expect(await predictor.ready).toEqual({ status: 'ready', runtime: 'onnxruntime' })
    const seen: PathSample[] = []
    for (const mbps of [2, 4]) {
      const s = sample(mbps, { at: parts.clock.now() })
      seen.push(s)
      predictor.observe(s)
      await predictor.settled()
      const forecast = predictor.predict()
      expect(forecast.model).toBe('harmonic-mean')
      expect(forecast.bandwidthBps).toBeCloseTo(harmonicMean(seen.map((x) => x.bandwidthBps)), 6)
      parts.clock.advance(1000)
    }
    const third = sample(3, { at: parts.clock.now() })
    seen.push(third)
    predictor.observe(third)
    await predictor.settled()
    const forecast = predictor.predict()
    expect(forecast.model).toBe('tiny')
    expect(forecast.bandwidthBps / referenceForecastBps(model, seen, 3)).toBeCloseTo(1, 5)
    expect(forecast.validUntil).toBe(parts.clock.now() + 1000)
    expect(forecast.rttMs).toBe(40)
    await predictor.close()
  })

  it('scores its forecasts, derives confidence and records the runbook metrics', async () => {
    const metrics = memoryMetrics()
    const parts = components(metrics)
    const predictor = onnxPredictor({ model: tinyModel({ historySteps: 2 }).bytes, name: 'tiny' })(parts)
    await predictor.ready
    const errors: number[] = []
    for (const [i, mbps] of [1, 2, 3, 2, 1, 2].entries()) {
      if (i > 0) {
        const forecastBps = predictor.predict().bandwidthBps
        errors.push(Math.abs(forecastBps - mbps * 1e6) / (mbps * 1e6))
      }
      predictor.observe(sample(mbps))
      await predictor.settled()
      parts.clock.advance(1000)
    }
    const mape = errors.reduce((sum, e) => sum + e, 0) / errors.length
    expect(predictor.accuracy()).toMatchObject({ samples: 5 })
    expect(predictor.accuracy().meanAbsolutePercentageError).toBeCloseTo(mape, 9)
    expect(predictor.predict().confidence).toBeCloseTo(Math.max(0, 1 - mape), 9)
    const confidence = predictor.predict().confidence
    const tiny = { model: 'tiny' }
    expect(metrics.gaugeValue(METRIC_NAMES.pbaPredictionAccuracy, tiny)).toBeCloseTo(confidence, 12)
    expect(metrics.series(METRIC_NAMES.pbaPredictionAccuracy).map((series) => series.labels)).toEqual([tiny])
    // One inference per observation once two rows are in.
    expect(metrics.histogramCount(METRIC_NAMES.pbaPredictionLatency, tiny)).toBe(5)
    expect(metrics.series(METRIC_NAMES.pbaPredictionLatency).map((series) => series.labels)).toEqual([tiny])
    // Every predict() counts, the fallback's before the first forecast too: the model file is an internet one.
    expect(metrics.counterValue(METRIC_NAMES.pbaInternetPredictions)).toBe(7)
    expect(metrics.series(METRIC_NAMES.pbaDatacenterPredictions)).toEqual([])
    await predictor.close()
  })

  it('falls back to the harmonic mean with a typed error and a logged reason when the model is corrupt', async () => {
    const bytes = tinyModel().bytes.slice()
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff
    const error = await loadForecastModel(bytes).catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)

    const logger = recordingLogger()
    const predictor = onnxPredictor({ model: bytes })({ ...components(), logger })
    const health = await predictor.ready
    expect(health.status).toBe('fallback')
    expect(isDwcpError(health.error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect(predictor.fallbackReason).toBe(health.reason)
    const warning = logger.lines.find((line) => line.level === 'warn')
    expect(warning?.fields.reason).toBe(health.reason)
    for (const mbps of [1, 2, 4, 4]) predictor.observe(sample(mbps))
    await predictor.settled()
    expect(predictor.predict()).toMatchObject({
      model: 'harmonic-mean',
      bandwidthBps: harmonicMean([1e6, 2e6, 4e6, 4e6]),
    })
  })

  it('refuses to retrain on too few samples with a typed error', async () => {
    const predictor = onnxPredictor({ model: tinyModel({ historySteps: 3 }).bytes })(components())
    await predictor.ready
    for (let i = 0; i < 10; i++) predictor.observe(sample(1 + (i % 3)))
    const error = await predictor.retrain({ samplesMin: 50 }).catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as { data: { argument: string } }).data.argument).toBe('samples')
    expect(predictor.health().status).toBe('ready')
    await predictor.close()
  })

  it('retrains on the samples it collected and swaps the new model in, also out of a fallback', async () => {
    const corrupt = tinyModel({ historySteps: 3 }).bytes.slice(0, 100)
    const parts = components()
    const predictor = onnxPredictor({ model: corrupt, name: 'node' })(parts)
    expect((await predictor.ready).status).toBe('fallback')
    const seen: PathSample[] = []
    for (let i = 0; i < 90; i++) {
      // A link that alternates between two rates: the last value is always wrong, a model can learn it.
      const s = sample(i % 2 === 0 ? 2 : 8, { rttMs: 30 + (i % 7), lossRate: (i % 4) / 100 })
      seen.push(s)
      predictor.observe(s)
      parts.clock.advance(1000)
    }
    const result = await predictor.retrain({
      samplesMin: 40,
      epochs: 80,
      examplesMax: 200,
      hiddenSize: 4,
      historySteps: 3,
    })
    expect(result).toMatchObject({ samples: 90 })
    expect(predictor.health()).toEqual({ status: 'ready', runtime: 'onnxruntime' })
    expect(predictor.fallbackReason).toBeUndefined()
    await predictor.settled()
    const forecast = predictor.predict()
    expect(forecast.model).toBe('node')

    // The swapped-in model is exactly the file retrain() returned.
    const refitted = await loadForecastModel(result.bytes)
    expect(refitted.historySteps).toBe(3)
    const extractor = new FeatureExtractor()
    const rows = seen.map((s) => extractor.next(s)!).slice(-3)
    const expectedBps = Math.exp(await refitted.forecastLogMbps(rows)) * 1e6
    expect(forecast.bandwidthBps / expectedBps).toBeCloseTo(1, 6)
    // It learnt the alternation: after an 8 comes a 2.
    expect(seen.at(-1)!.bandwidthBps).toBe(8e6)
    expect(forecast.bandwidthBps).toBeLessThan(5e6)
    await refitted.dispose()
    await predictor.close()
  })

  it("drops the old model's forecasts once a retrained model is swapped in", async () => {
    const old = tinyModel({ historySteps: 3 })
    const predictor = onnxPredictor({ model: old.bytes })(components())
    await predictor.ready
    const seen: PathSample[] = []
    for (let i = 0; i < 80; i++) {
      const s = sample(1 + (i % 4))
      seen.push(s)
      predictor.observe(s) // inference of the old model is in flight or queued throughout
    }
    const result = await predictor.retrain({ samplesMin: 40, epochs: 3, examplesMax: 100, hiddenSize: 4 })
    await predictor.settled()
    const refitted = await loadForecastModel(result.bytes)
    const extractor = new FeatureExtractor()
    const rows = seen.map((s) => extractor.next(s)!).slice(-3)
    const newBps = Math.exp(await refitted.forecastLogMbps(rows)) * 1e6
    expect(predictor.predict().bandwidthBps / newBps).toBeCloseTo(1, 6)
    expect(Math.abs(referenceForecastBps(old, seen, 3) / newBps - 1)).toBeGreaterThan(1e-3)
    await refitted.dispose()
    await predictor.close()
  })

  it('loads the shipped internet and datacenter models', async () => {
    for (const mode of ['internet', 'datacenter'] as const) {
      const predictor = onnxPredictor({ model: mode })(components())
      expect(await predictor.ready).toEqual({ status: 'ready', runtime: 'onnxruntime' })
      await predictor.close()
    }
  })

  it('rejects a model name it does not ship', () => {
    expect(() => onnxPredictor({ model: 'lan' as 'internet' })).toThrow(/internet/)
  })
})
