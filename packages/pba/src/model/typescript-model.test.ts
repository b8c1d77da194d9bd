import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { isDwcpError, seededRandom } from '@dwcp/core'
import onnxProto from 'onnx-proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBundledModel } from '../onnx-predictor/bundled-model.js'
import { traceFeatureRows } from '../training/features.js'
import { MODE_TRAINING, MODEL_MODES } from '../training/modes.js'
import { normalizeRow } from '../training/normalization.js'
import { parseTraceCsv } from '../training/trace-set.js'
import { forwardGru } from './gru-model.js'
import { loadGruModel } from './load-gru-model.js'
import type { GruOnnxModel } from './model-runtime.js'
import { exportGruOnnx } from './onnx-export.js'
import { sealModel } from './onnx-integrity.js'
import { loadOnnxModel } from './onnx-model.js'
import { readGruModelFile } from './onnx-model-file.js'
import { gruWeightsFromModel } from './onnx-weights.js'
import { randomSequence, randomWeights, testMetadata, testNormalization } from './test-support.js'
import { loadTypeScriptModel } from './typescript-model.js'

const { onnx } = onnxProto

/** Largest difference accepted between the two runtimes, in normalised target units. */
const RUNTIME_TOLERANCE = 1e-5

/** The 3G trace of the test fixtures, as the feature rows a predictor builds at `scale`. */
function traceWindows(historySteps: number, scale: number, count: number): Float64Array[][] {
  const file = new URL('../../test-fixtures/norway_bus_5.csv', import.meta.url)
  const mbps = parseTraceCsv('norway_bus_5.csv', readFileSync(file, 'utf8'))
  const rows = traceFeatureRows(mbps, scale)
  const windows: Float64Array[][] = []
  for (let end = historySteps; end <= rows.length && windows.length < count; end += 3) {
    const window = rows.slice(end - historySteps, end)
    if (window.every((row) => row !== undefined)) windows.push(window as Float64Array[])
  }
  return windows
}

/** Awaits `promise` and returns the DWCP error it rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isDwcpError(error), String(error)).toBe(true)
  return error as Error & { code: string }
}

describe.each(MODEL_MODES)('the shipped %s model in both runtimes', (mode) => {
  let bytes: Uint8Array
  let onnxruntime: GruOnnxModel
  let typescript: GruOnnxModel
  beforeAll(async () => {
    bytes = await readBundledModel(mode)
    onnxruntime = await loadOnnxModel(bytes)
    typescript = await loadTypeScriptModel(bytes)
  })
  afterAll(async () => {
    await onnxruntime.dispose()
    await typescript.dispose()
  })

  it('reads the weights back exactly: they export to the same file', () => {
    const file = readGruModelFile(bytes)
    const weights = gruWeightsFromModel(file)
    expect(weights.hiddenSize).toBe(MODE_TRAINING[mode].hiddenSize)
    const again = exportGruOnnx(weights, { normalization: file.normalization, metadata: file.metadata })
    expect(Buffer.from(again).equals(Buffer.from(sealModel(file.model)))).toBe(true)
    expect(typescript.runtime).toBe('typescript')
    expect(onnxruntime.runtime).toBe('onnxruntime')
    expect(typescript.metadata).toEqual(onnxruntime.metadata)
    expect(typescript.normalization).toEqual(onnxruntime.normalization)
  })

  it(`gives onnxruntime's outputs within ${RUNTIME_TOLERANCE} on trace windows and on random windows`, async () => {
    const { historySteps, featureCount, normalization } = typescript
    const trace = traceWindows(historySteps, MODE_TRAINING[mode].evaluationScale, 80).map((window) =>
      window.map((row) => normalizeRow(row, normalization)),
    )
    // Random normalised windows reach far past the trace's range, into the gates' saturated regions.
    const random = seededRandom(mode === 'internet' ? 11 : 12)
    const wild = Array.from({ length: 80 }, () => randomSequence(historySteps, featureCount, random, 3))
    const windows = [...trace, ...wild]
    expect(trace.length).toBe(80)
    const expected = await onnxruntime.predictBatch(windows)
    const actual = await typescript.predictBatch(windows)
    let worst = 0
    windows.forEach((_, i) => {
      worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!))
    })
    console.log(
      `${mode}: largest |typescript − onnxruntime| over ${windows.length} windows = ${worst.toExponential(2)}`,
    )
    expect(worst).toBeLessThanOrEqual(RUNTIME_TOLERANCE)
    expect(await typescript.predict(windows[0]!)).toBe(actual[0])
  })

  it('prints the latency of one forecast in each runtime', async () => {
    const window = randomSequence(typescript.historySteps, typescript.featureCount, seededRandom(5))
    const medianUs = async (model: GruOnnxModel): Promise<number> => {
      for (let i = 0; i < 50; i++) await model.predict(window)
      const samplesUs: number[] = []
      for (let i = 0; i < 300; i++) {
        const startMs = performance.now()
        await model.predict(window)
        samplesUs.push((performance.now() - startMs) * 1000)
      }
      return samplesUs.sort((a, b) => a - b)[150]!
    }
    const typescriptUs = await medianUs(typescript)
    const onnxruntimeUs = await medianUs(onnxruntime)
    console.log(
      `${mode} (T=${typescript.historySteps}, H=${MODE_TRAINING[mode].hiddenSize}) median per predict(): ` +
        `typescript ${typescriptUs.toFixed(0)} µs, onnxruntime ${onnxruntimeUs.toFixed(0)} µs`,
    )
    // Timing is printed, not asserted.
    expect(typescriptUs).toBeGreaterThan(0)
  })
})

describe('the TypeScript runtime', () => {
  const T = 6
  const F = 3
  const weights = randomWeights(F, 4, 31)
  const bytes = exportGruOnnx(weights, { normalization: testNormalization(F), metadata: testMetadata(T) })

  it('computes forwardGru on the float32 inputs, rounded to float32', async () => {
    const model = await loadTypeScriptModel(bytes)
    const window = randomSequence(T, F, seededRandom(1))
    const float64Window = window.map((step) => Float64Array.from(step, (x) => x + 1e-12))
    expect(await model.predict(float64Window)).toBe(Math.fround(forwardGru(weights, window)))
  })

  it('checks windows, abort signals and dispose as the onnxruntime model does', async () => {
    const model = await loadTypeScriptModel(bytes)
    const random = seededRandom(2)
    expect((await rejection(model.predict(randomSequence(T - 1, F, random)))).message).toMatch(
      /must hold 6 steps/,
    )
    const withNaN = randomSequence(T, F, random)
    withNaN[2]![1] = Number.NaN
    expect((await rejection(model.predict(withNaN))).message).toMatch(/sequence\[2\]\[1\]/)
    expect((await rejection(model.predictBatch([]))).code).toBe('DWCP_ERR_INVALID_ARGUMENT')
    const aborted = AbortSignal.abort(new Error('stop'))
    const window = randomSequence(T, F, random)
    expect((await rejection(model.predict(window, { signal: aborted }))).code).toBe('DWCP_ERR_ABORTED')
    expect((await rejection(loadTypeScriptModel(bytes, { signal: aborted }))).code).toBe('DWCP_ERR_ABORTED')
    await model.dispose()
    await model.dispose()
    expect((await rejection(model.predict(window))).code).toBe('DWCP_ERR_NOT_STARTED')
  })

  it('refuses a sealed graph that onnxruntime runs to a different result than the exported GRU', async () => {
    type Graph = InstanceType<typeof onnx.GraphProto>
    type Node = InstanceType<typeof onnx.NodeProto>
    const gru = (g: Graph) => g.node.find((node) => node.opType === 'GRU') as Node
    const intAttribute = (name: string, i: number) =>
      onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i })
    const variants: Array<[string, (g: Graph) => void]> = [
      [
        'linear_before_reset = 0',
        (g) => {
          gru(g).attribute = [intAttribute('hidden_size', 4), intAttribute('linear_before_reset', 0)]
        },
      ],
      [
        'the sequence read backwards',
        (g) => {
          gru(g).attribute.push(
            onnx.AttributeProto.create({
              name: 'direction',
              type: 3,
              s: new TextEncoder().encode('reverse'),
            }),
          )
        },
      ],
      [
        'a non-zero initial hidden state',
        (g) => {
          g.initializer.push(
            onnx.TensorProto.create({
              name: 'h0',
              dims: [1, 1, 4],
              dataType: 1,
              floatData: [0.5, -0.5, 0.5, -0.5],
            }),
          )
          gru(g).input = [...gru(g).input, '', 'h0']
        },
      ],
      [
        'a Tanh on the prediction',
        (g) => {
          g.node.at(-1)!.output = ['raw_prediction']
          g.node.push(
            onnx.NodeProto.create({ opType: 'Tanh', input: ['raw_prediction'], output: ['prediction'] }),
          )
        },
      ],
    ]
    const window = randomSequence(T, F, seededRandom(9))
    const reference = forwardGru(weights, window)
    for (const [what, change] of variants) {
      const model = onnx.ModelProto.decode(bytes)
      change(model.graph as Graph)
      const sealed = sealModel(model)
      // A sound file that onnxruntime runs, and whose result is not the exported GRU's.
      const session = await loadOnnxModel(sealed)
      expect(Math.abs((await session.predict(window)) - reference), what).toBeGreaterThan(1e-3)
      await session.dispose()
      const error = await rejection(loadTypeScriptModel(sealed))
      expect(error.code, what).toBe('DWCP_ERR_INVALID_ARGUMENT')
      expect(error.message, what).toMatch(/not the GRU this package writes/)
    }
  })

  it('refuses what readGruModelFile refuses: corrupt bytes and foreign models', async () => {
    const corrupt = bytes.slice()
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0x10
    expect((await rejection(loadTypeScriptModel(corrupt))).message).toMatch(
      /integrity check failed|does not decode/,
    )
    expect((await rejection(loadTypeScriptModel(new Uint8Array(0)))).message).toMatch(/empty/)
  })
})

describe('loadGruModel', () => {
  const bytes = exportGruOnnx(randomWeights(2, 3, 41), {
    normalization: testNormalization(2),
    metadata: testMetadata(4),
  })

  it('takes onnxruntime with auto where it is installed, and either runtime on request', async () => {
    const auto = await loadGruModel(bytes)
    expect(auto.model.runtime).toBe('onnxruntime')
    expect(auto.runtimeReason).toBeUndefined()
    const typescript = await loadGruModel(bytes, { runtime: 'typescript' })
    expect(typescript.model.runtime).toBe('typescript')
    const window = randomSequence(4, 2, seededRandom(3))
    expect(
      Math.abs((await auto.model.predict(window)) - (await typescript.model.predict(window))),
    ).toBeLessThan(RUNTIME_TOLERANCE)
    await auto.model.dispose()
    const error = await rejection(loadGruModel(bytes, { runtime: 'gpu' as 'auto' }))
    expect(error.message).toMatch(/runtime/)
  })
})
