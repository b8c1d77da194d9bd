import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '@dwcp/core'
import { afterAll, describe, expect, it } from 'vitest'
import { forwardGru } from '../model/gru-model.js'
import { loadOnnxModel } from '../model/onnx-model.js'
import { seriesWindows, traceSeries, windowSequences } from './dataset.js'
import { trainedModelBytes } from './model-file.js'
import { splitTraces } from './split.js'
import type { Trace } from './trace-set.js'
import { trainModeModel } from './train-mode-model.js'

/** Synthetic traces: a log-space AR(1) around a per-trace level, 200 s each. */
function syntheticTraces(): Trace[] {
  const random = seededRandom(11)
  const make = (file: string, family: Trace['family'], pensieveSplit: Trace['pensieveSplit']): Trace => {
    const level = Math.log(0.5 + 3 * random.next())
    let x = level
    const mbps = Float64Array.from({ length: 200 }, () => {
      x = level + 0.8 * (x - level) + 0.3 * (random.next() - 0.5)
      return Math.exp(x)
    })
    return { file, family, pensieveSplit, mbps }
  }
  return [
    ...Array.from({ length: 20 }, (_, i) =>
      make(`fcc/trace_${String(i).padStart(2, '0')}.csv`, 'fcc', 'train'),
    ),
    ...Array.from({ length: 5 }, (_, i) => make(`hsdpa/norway_${i}.csv`, 'hsdpa', 'test')),
  ]
}

const config = { historySteps: 5, hiddenSize: 4, epochs: 3, examplesMax: 300, scaleRange: [1, 4] as const }

describe('trainModeModel', () => {
  const traces = syntheticTraces()
  const trained = trainModeModel({ mode: 'internet', traces, seed: 5, config })
  const directory = mkdtempSync(join(tmpdir(), 'pba-model-'))
  afterAll(() => rmSync(directory, { recursive: true, force: true }))

  it('trains on the training traces only and scores the validation traces beside the baselines', () => {
    const split = splitTraces(traces)
    expect(trained.trained).toEqual({ traces: split.train.length, windows: 300 })
    expect(trained.validation.traces).toBe(split.validation.length)
    for (const score of [
      trained.validation.model,
      trained.validation.harmonicMean,
      trained.validation.lastValue,
    ]) {
      expect(score.samples).toBe(split.validation.length * (200 - 5))
      expect(Number.isFinite(score.meanAbsolutePercentageError)).toBe(true)
    }
    expect(trained.history.length).toBeGreaterThan(0)
  })

  it('is reproducible from the seed', () => {
    const again = trainModeModel({ mode: 'internet', traces, seed: 5, config })
    expect(again.weights).toEqual(trained.weights)
    expect(again.normalization).toEqual(trained.normalization)
    const options = { seed: 5, createdAt: '2026-01-01T00:00:00.000Z' }
    expect(trainedModelBytes(again, options)).toEqual(trainedModelBytes(trained, options))
  })

  it('writes a file that loads back with its metadata and whose ONNX outputs equal the TS forward pass', async () => {
    const path = join(directory, 'internet.onnx')
    writeFileSync(path, trainedModelBytes(trained, { seed: 5, createdAt: '2026-01-01T00:00:00.000Z' }))
    const model = await loadOnnxModel(new Uint8Array(readFileSync(path)))
    expect(model.metadata).toMatchObject({ mode: 'internet', historySteps: 5, seed: 5 })
    expect(model.metadata.extra).toMatchObject({ hiddenSize: 4, trainingWindows: 300 })
    expect(model.normalization).toEqual(trained.normalization)

    const series = splitTraces(traces).heldOut.map((t) => traceSeries(t.mbps))
    const windows = seriesWindows(series, 5).slice(0, 50)
    for (const { sequence } of windowSequences(series, windows, 5, trained.normalization)) {
      const reference = forwardGru(trained.weights, sequence)
      expect(Math.abs((await model.predict(sequence)) - reference)).toBeLessThan(1e-5)
    }
    await model.dispose()
  })
})
