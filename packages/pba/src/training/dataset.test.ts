import { seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import {
  buildTrainingSet,
  sampleWithoutReplacement,
  seriesWindows,
  traceSeries,
  windowSequences,
} from './dataset.js'
import { forecastLogMbps } from './normalization.js'

const trace = (...mbps: number[]) => traceSeries(Float64Array.from(mbps))

describe('seriesWindows', () => {
  it('takes only complete windows with a measured next step, never across series', () => {
    const series = [trace(0, 1, 2, 0, 4), trace(5, 6, 7)]
    // Series 0: rows from step 1; windows of 2 end at 2 (target 3 unmeasured: no) and 3 (target 4: yes).
    expect(seriesWindows(series, 2)).toEqual([
      { series: 0, end: 3 },
      { series: 1, end: 1 },
    ])
    expect(seriesWindows(series, 4)).toEqual([])
  })
})

describe('sampleWithoutReplacement', () => {
  it('draws distinct items, the same ones for the same seed', () => {
    const items = Array.from({ length: 50 }, (_, i) => i)
    const a = sampleWithoutReplacement(items, 10, seededRandom(3))
    expect(new Set(a).size).toBe(10)
    expect(sampleWithoutReplacement(items, 10, seededRandom(3))).toEqual(a)
    expect(sampleWithoutReplacement(items, 99, seededRandom(3))).toHaveLength(50)
  })
})

describe('buildTrainingSet', () => {
  const series = [trace(1, 2, 3, 4, 5, 6, 7, 8), trace(2, 2, 1, 1, 2, 2, 1, 1)]

  it('gives history-long sequences and the normalised change to the next step as the target', () => {
    const { examples, normalization } = buildTrainingSet(series, {
      historySteps: 3,
      examplesMax: 100,
      random: seededRandom(1),
    })
    expect(examples).toHaveLength(10)
    for (const { sequence, target } of examples) {
      expect(sequence).toHaveLength(3)
      expect(sequence.every((step) => step.length === 7)).toBe(true)
      const lastLogMbps = sequence[2]![0]! * normalization.scales[0]! + normalization.means[0]!
      const next = Math.exp(forecastLogMbps(target, lastLogMbps, normalization))
      // Every next step of these series is a whole number of Mbit/s.
      expect(Math.abs(next - Math.round(next))).toBeLessThan(1e-5)
    }
    // Feature 0 over the steps fed, and the targets, are centred and scaled to 1.
    const values = examples.flatMap(({ sequence }) => sequence.map((step) => step[0]!))
    const targets = examples.map(({ target }) => target)
    for (const xs of [values, targets]) {
      const mean = xs.reduce((s, v) => s + v, 0) / xs.length
      const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length
      expect(mean).toBeCloseTo(0, 5)
      expect(variance).toBeCloseTo(1, 4)
    }
  })

  it('is the same for the same seed', () => {
    const a = buildTrainingSet(series, {
      historySteps: 3,
      examplesMax: 6,
      random: seededRandom(9),
      scaleRange: [1, 100],
    })
    const b = buildTrainingSet(series, {
      historySteps: 3,
      examplesMax: 6,
      random: seededRandom(9),
      scaleRange: [1, 100],
    })
    expect(a).toEqual(b)
  })

  it('shifts a whole window under the scale augmentation, which leaves the change target alone', () => {
    const { examples, normalization } = buildTrainingSet([trace(1, 1, 1, 2)], {
      historySteps: 3,
      examplesMax: 1,
      random: seededRandom(2),
      scaleRange: [10, 1000],
    })
    const { sequence, target } = examples[0]!
    const lastLogMbps = sequence[2]![0]! * normalization.scales[0]! + normalization.means[0]!
    expect(Math.exp(lastLogMbps)).toBeGreaterThanOrEqual(10 - 1e-4)
    expect(Math.exp(lastLogMbps)).toBeLessThanOrEqual(1000 + 1e-3)
    // From 1 to 2 Mbit/s at any scale: the forecast doubles the last value.
    expect(Math.exp(forecastLogMbps(target, lastLogMbps, normalization) - lastLogMbps)).toBeCloseTo(2, 5)
  })

  it('refuses series without a single window, and a bad scale range', () => {
    const options = { historySteps: 5, examplesMax: 10, random: seededRandom(1) }
    expect(() => buildTrainingSet([trace(1, 2)], options)).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
    expect(() => buildTrainingSet(series, { ...options, scaleRange: [0, 1] })).toThrow(/scaleRange/)
  })
})

describe('windowSequences', () => {
  it('normalises under a given normalisation and returns the raw last and next log throughputs', () => {
    const series = [trace(1, 2, 4)]
    const { normalization } = buildTrainingSet(series, {
      historySteps: 2,
      examplesMax: 1,
      random: seededRandom(1),
    })
    const [window] = windowSequences(series, seriesWindows(series, 2), 2, normalization)
    expect(window!.targetLogMbps).toBeCloseTo(Math.log(4), 12)
    expect(window!.lastLogMbps).toBeCloseTo(Math.log(2), 12)
    expect(window!.sequence).toHaveLength(2)
  })
})
