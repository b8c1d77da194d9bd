import { InvalidArgumentError, type Random } from '@dwcp/core'
import type { FeatureNormalization } from '../model/normalization.js'
import { traceFeatureRows } from './features.js'
import { NormalizationAccumulator, normalizeRow, normalizeTarget } from './normalization.js'

/** One training example in the trainer's shape: `historySteps` normalised rows and the normalised target. */
export interface SequenceExample {
  /** Normalised feature rows, oldest first (T × F). */
  sequence: Float32Array[]
  /** The change of log throughput to the next step, normalised (see `TARGET_NAME`). */
  target: number
}

/** Raw feature rows of one contiguous series of steps (a trace, or the samples one predictor collected). */
export interface FeatureSeries {
  /** Raw row of each step; undefined before the first measured throughput. */
  rows: ReadonlyArray<Float64Array | undefined>
  /** Whether each step's throughput was measured (a step that was not cannot be a target). */
  measured: ReadonlyArray<boolean>
}

/** A window picked from a series: it ends at step `end`, and step `end + 1` is its target. */
export interface SeriesWindow {
  /** Index of the series in the list given. */
  series: number
  /** Last step of the window. */
  end: number
}

/** The {@link FeatureSeries} of a throughput trace at `scale` (see `traceFeatureRows`). */
export function traceSeries(mbps: Float64Array, scale = 1): FeatureSeries {
  return { rows: traceFeatureRows(mbps, scale), measured: Array.from(mbps, (value) => value > 0) }
}

/**
 * Every window of `historySteps` steps with rows and a measured next step, in series order. A window never
 * crosses from one series into another.
 */
export function seriesWindows(series: readonly FeatureSeries[], historySteps: number): SeriesWindow[] {
  const windows: SeriesWindow[] = []
  series.forEach(({ rows, measured }, s) => {
    for (let end = historySteps - 1; end + 1 < rows.length; end++)
      if (rows[end - historySteps + 1] !== undefined && measured[end + 1]) windows.push({ series: s, end })
  })
  return windows
}

/** Up to `count` of `items`, drawn without replacement in a random order (partial Fisher–Yates). */
export function sampleWithoutReplacement<T>(items: readonly T[], count: number, random: Random): T[] {
  const pool = [...items]
  const picked = Math.min(count, pool.length)
  for (let i = 0; i < picked; i++) {
    const j = i + Math.floor(random.next() * (pool.length - i))
    const swap = pool[i]!
    pool[i] = pool[j]!
    pool[j] = swap
  }
  return pool.slice(0, picked)
}

/** Options of {@link buildTrainingSet}. */
export interface TrainingSetOptions {
  /** Steps of history per example (10 for `datacenter`, 60 for `internet`). */
  historySteps: number
  /** Largest number of windows drawn: training cost grows with it, and neighbouring windows say much the same. */
  examplesMax: number
  /**
   * Range of a per-window throughput factor, drawn log-uniformly: a window's log throughput and its target
   * shift by the log of the factor, so the model learns the dynamics of a link rather than its level.
   * `[1, 1]` leaves throughput as measured. @default [1, 1]
   */
  scaleRange?: readonly [number, number]
  /** Seeded randomness for window choice and scale factors. */
  random: Random
}

/** A normalised training set and the normalisation fitted on it. */
export interface TrainingSet {
  /** Examples in the trainer's shape. */
  examples: SequenceExample[]
  /** Fitted on the examples' rows; ship it with the model. */
  normalization: FeatureNormalization
}

/**
 * Draws windows from `series`, applies the scale augmentation, fits the normalisation on the result and
 * normalises. Throws {@link InvalidArgumentError} if the series hold no complete window.
 */
export function buildTrainingSet(series: readonly FeatureSeries[], options: TrainingSetOptions): TrainingSet {
  const { historySteps, examplesMax, random } = options
  const [scaleMin, scaleMax] = options.scaleRange ?? [1, 1]
  if (!(scaleMin > 0 && scaleMax >= scaleMin))
    throw new InvalidArgumentError('scaleRange', `must be 0 < min ≤ max, got [${scaleMin}, ${scaleMax}]`)
  const picked = sampleWithoutReplacement(seriesWindows(series, historySteps), examplesMax, random)
  if (picked.length === 0)
    throw new InvalidArgumentError('series', `no window of ${historySteps} steps with a measured next step`)

  const shifts = picked.map(() => Math.log(scaleMin) + random.next() * Math.log(scaleMax / scaleMin))
  // Every step of every window: the rows the model is actually fed, overlaps counted as often as they occur.
  const accumulator = new NormalizationAccumulator()
  picked.forEach(({ series: s, end }, i) => {
    const rows = series[s]!.rows
    for (let t = end - historySteps + 1; t <= end; t++) accumulator.add(rows[t]!, shifts[i])
    accumulator.addTarget(rows[end + 1]![0]! - rows[end]![0]!)
  })
  const normalization = accumulator.fit()
  const examples = picked.map(({ series: s, end }, i) => {
    const rows = series[s]!.rows
    const shift = shifts[i]!
    const sequence: Float32Array[] = []
    for (let t = end - historySteps + 1; t <= end; t++)
      sequence.push(normalizeRow(rows[t]!, normalization, shift))
    // The scale factor shifts both ends of the change alike, so the target does not depend on it.
    return { sequence, target: normalizeTarget(rows[end + 1]![0]!, rows[end]![0]!, normalization) }
  })
  return { examples, normalization }
}

/** A window ready for a model, with the raw log throughputs (Mbit/s) of its last step and of the next step. */
export interface WindowSequence {
  /** Normalised feature rows, oldest first. */
  sequence: Float32Array[]
  /** Raw log throughput of the window's last step. */
  lastLogMbps: number
  /** Raw log throughput of the step after the window: what a forecast is scored against. */
  targetLogMbps: number
}

/** Normalised input sequences of `windows` under an existing normalisation (for validation and evaluation). */
export function windowSequences(
  series: readonly FeatureSeries[],
  windows: readonly SeriesWindow[],
  historySteps: number,
  normalization: FeatureNormalization,
): WindowSequence[] {
  return windows.map(({ series: s, end }) => {
    const rows = series[s]!.rows
    const sequence: Float32Array[] = []
    for (let t = end - historySteps + 1; t <= end; t++) sequence.push(normalizeRow(rows[t]!, normalization))
    return { sequence, lastLogMbps: rows[end]![0]!, targetLogMbps: rows[end + 1]![0]! }
  })
}
