import { InvalidArgumentError } from '@dwcp/core'
import type { FeatureNormalization } from '../model/normalization.js'
import { FEATURE_COUNT, FEATURE_NAMES } from './features.js'

/**
 * Name of the target in a model's normalisation: the change of the log throughput (Mbit/s) from the last step
 * of the window to the next step. A forecast is the last log throughput plus the model's change, so a model
 * that has learnt nothing forecasts the last value rather than an average level; a GRU, whose update gate
 * blends each step into a running state, is much better at predicting a change than at copying its last input
 * through a tanh (measured: see the package README).
 */
export const TARGET_NAME = 'logThroughputChangeNext'

/** Standard deviation below which a feature counts as constant in the training set. */
export const FEATURE_STD_MIN = 1e-6

/**
 * The smallest standard deviation assumed for the log throughput (feature 0) and for the target (its change):
 * a training set of one steady link would otherwise blow every small change up to many standard deviations.
 */
export const THROUGHPUT_LOG_STD_MIN = 0.05

/**
 * Scale given to a feature that was constant in training. Such a feature carried no information, and the
 * weights that read it never moved from their random initial values; dividing by 10³⁰ maps any realistic raw
 * value to ~10⁻²⁹, which the network cannot tell from 0, so a live value (an RTT the traces never had) does
 * not stir those random weights. The model file format wants every scale > 0 and finite, hence not ∞. A model
 * refitted on live samples that do carry the feature gets a real scale for it.
 */
export const PINNED_FEATURE_SCALE = 1e30

/**
 * Running sums of raw feature rows, so that a normalisation can be fitted over millions of rows without
 * keeping them. Sums are in float64 over values of order 1–10, where `E[x²] − E[x]²` loses nothing that matters.
 */
export class NormalizationAccumulator {
  readonly #sum = new Float64Array(FEATURE_COUNT)
  readonly #sumSquares = new Float64Array(FEATURE_COUNT)
  #count = 0
  #targetSum = 0
  #targetSumSquares = 0
  #targetCount = 0

  /** Adds one row; `throughputShift` is added to feature 0 first (the scale augmentation, in log space). */
  add(row: ArrayLike<number>, throughputShift = 0): void {
    for (let f = 0; f < FEATURE_COUNT; f++) {
      const x = row[f]! + (f === 0 ? throughputShift : 0)
      this.#sum[f]! += x
      this.#sumSquares[f]! += x * x
    }
    this.#count++
  }

  /** Adds one raw target: the change of log throughput from a window's last step to the next step. */
  addTarget(changeLogMbps: number): void {
    this.#targetSum += changeLogMbps
    this.#targetSumSquares += changeLogMbps * changeLogMbps
    this.#targetCount++
  }

  /**
   * The normalisation of the rows and targets added, in the model file's form: `(raw − mean) / scale` per
   * feature and for the target ({@link TARGET_NAME}). Throws {@link InvalidArgumentError} if no row or no
   * target was added.
   */
  fit(): FeatureNormalization {
    if (this.#count === 0 || this.#targetCount === 0)
      throw new InvalidArgumentError('rows', 'normalisation needs at least one row and one target')
    const means: number[] = []
    const scales: number[] = []
    for (let f = 0; f < FEATURE_COUNT; f++) {
      const mean = this.#sum[f]! / this.#count
      const std = Math.sqrt(Math.max(0, this.#sumSquares[f]! / this.#count - mean * mean))
      means.push(mean)
      if (f === 0) scales.push(Math.max(std, THROUGHPUT_LOG_STD_MIN))
      else scales.push(std < FEATURE_STD_MIN ? PINNED_FEATURE_SCALE : std)
    }
    const targetMean = this.#targetSum / this.#targetCount
    const targetStd = Math.sqrt(
      Math.max(0, this.#targetSumSquares / this.#targetCount - targetMean * targetMean),
    )
    return {
      names: [...FEATURE_NAMES],
      means,
      scales,
      target: { name: TARGET_NAME, mean: targetMean, scale: Math.max(targetStd, THROUGHPUT_LOG_STD_MIN) },
    }
  }
}

/** Fits a normalisation on raw feature rows and raw targets (see {@link NormalizationAccumulator.fit}). */
export function fitNormalization(
  rows: readonly ArrayLike<number>[],
  changesLogMbps: readonly number[],
): FeatureNormalization {
  const accumulator = new NormalizationAccumulator()
  for (const row of rows) accumulator.add(row)
  for (const change of changesLogMbps) accumulator.addTarget(change)
  return accumulator.fit()
}

/**
 * Normalises one raw row into the model's input type, adding `throughputShift` to the raw log throughput first.
 * Unchecked (the dataset builder calls it millions of times on rows it built itself).
 */
export function normalizeRow(
  raw: ArrayLike<number>,
  normalization: FeatureNormalization,
  throughputShift = 0,
): Float32Array {
  const { means, scales } = normalization
  const row = new Float32Array(means.length)
  for (let f = 0; f < means.length; f++)
    row[f] = (raw[f]! + (f === 0 ? throughputShift : 0) - means[f]!) / scales[f]!
  return row
}

/**
 * Throws {@link InvalidArgumentError} (argument `model`) unless `normalization` has a {@link TARGET_NAME}
 * target: a file whose model predicts something else cannot be read as a throughput forecast.
 */
export function assertChangeTarget(
  normalization: FeatureNormalization,
): Required<FeatureNormalization>['target'] {
  const target = normalization.target
  if (target?.name !== TARGET_NAME)
    throw new InvalidArgumentError(
      'model',
      `predicts ${target?.name ?? 'an unnamed target'}, not ${TARGET_NAME}`,
    )
  return target
}

/** The model's training target for a step from `lastLogMbps` to `nextLogMbps` (log Mbit/s). */
export function normalizeTarget(
  nextLogMbps: number,
  lastLogMbps: number,
  normalization: FeatureNormalization,
): number {
  const target = assertChangeTarget(normalization)
  return (nextLogMbps - lastLogMbps - target.mean) / target.scale
}

/** The forecast log throughput (Mbit/s) a model output stands for, after a window ending at `lastLogMbps`. */
export function forecastLogMbps(
  output: number,
  lastLogMbps: number,
  normalization: FeatureNormalization,
): number {
  const target = assertChangeTarget(normalization)
  return lastLogMbps + output * target.scale + target.mean
}
