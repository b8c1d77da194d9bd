import { isDwcpError, type PathSample } from '@dwcp/core'
import { describe, expect, it, vi } from 'vitest'
import { forwardGru } from '../model/gru-model.js'
import { describeImportFailure } from '../model/onnxruntime-module.js'
import { components, sample } from '../test-support.js'
import { FeatureExtractor } from '../training/features.js'
import { forecastLogMbps, normalizeRow } from '../training/normalization.js'
import { onnxPredictor } from './onnx-predictor.js'
import { tinyModel } from './test-support.js'

// A host that did not install the optional peer dependency: importing it fails, as it does there.
vi.mock('onnxruntime-node', () => {
  throw new Error("Cannot find package 'onnxruntime-node'")
})

describe('onnxPredictor without onnxruntime-node', () => {
  it('serves the shipped models through the TypeScript runtime and says so', async () => {
    for (const mode of ['internet', 'datacenter'] as const) {
      const predictor = onnxPredictor({ model: mode })(components())
      const health = await predictor.ready
      expect(health).toMatchObject({ status: 'ready', runtime: 'typescript' })
      expect(health.runtimeReason).toMatch(/^onnxruntime-node is absent: /)
      expect(predictor.fallbackReason).toBeUndefined()
      await predictor.close()
    }
  })

  it('forecasts with the model, not the harmonic mean, once the history is full', async () => {
    const model = tinyModel({ historySteps: 3 })
    const parts = components()
    const predictor = onnxPredictor({ model: model.bytes, name: 'tiny' })(parts)
    expect((await predictor.ready).runtime).toBe('typescript')
    const seen: PathSample[] = []
    for (const mbps of [2, 4, 3]) {
      const s = sample(mbps, { at: parts.clock.now() })
      seen.push(s)
      predictor.observe(s)
      await predictor.settled()
      parts.clock.advance(1000)
    }
    const extractor = new FeatureExtractor()
    const rows = seen.map((s) => extractor.next(s)!)
    const output = forwardGru(
      model.weights,
      rows.map((row) => normalizeRow(row, model.normalization)),
    )
    const expectedBps = Math.exp(forecastLogMbps(output, rows.at(-1)![0]!, model.normalization)) * 1e6
    const forecast = predictor.predict()
    expect(forecast.model).toBe('tiny')
    expect(forecast.bandwidthBps / expectedBps).toBeCloseTo(1, 5)
    await predictor.close()
  })

  it('falls back with a typed reason only when onnxruntime itself was demanded', async () => {
    const predictor = onnxPredictor({ model: 'datacenter', runtime: 'onnxruntime' })(components())
    const health = await predictor.ready
    expect(health.status).toBe('fallback')
    expect(isDwcpError(health.error, 'DWCP_ERR_COMPONENT_ABSENT')).toBe(true)
    expect(health.reason).toMatch(/onnxruntime-node is absent/)
    expect(() => onnxPredictor({ model: 'internet', runtime: 'gpu' as 'auto' })).toThrow(/runtime/)
  })
})

describe('describeImportFailure', () => {
  const failure = (code: string, message: string) => Object.assign(new Error(message), { code })

  it('tells a package that is not installed from one that is installed and broken', () => {
    expect(
      describeImportFailure(
        failure('ERR_MODULE_NOT_FOUND', "Cannot find package 'onnxruntime-node' imported from /app/x.js"),
      ),
    ).toBe('the package is not installed')
    expect(
      describeImportFailure(
        failure('MODULE_NOT_FOUND', "Cannot find module 'onnxruntime-node'\nRequire stack:"),
      ),
    ).toBe('the package is not installed')
    expect(
      describeImportFailure(
        failure('MODULE_NOT_FOUND', "Cannot find module 'onnxruntime-common'\nRequire stack:"),
      ),
    ).toBe("the package is installed but does not load: Cannot find module 'onnxruntime-common'")
    expect(describeImportFailure(new Error('libonnxruntime.so.1: cannot open shared object file'))).toBe(
      'the package is installed but does not load: libonnxruntime.so.1: cannot open shared object file',
    )
  })
})
