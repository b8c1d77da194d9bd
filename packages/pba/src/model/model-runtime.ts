import { InvalidArgumentError } from '@dwcp/core'
import { assertValidSequence } from './gru-model.js'
import type { GruModelMetadata } from './model-metadata.js'
import type { FeatureNormalization } from './normalization.js'

/** Most sequences one {@link GruOnnxModel.predictBatch} call takes, to bound the input tensor. */
export const PREDICT_BATCH_MAX = 4096

/**
 * What runs a model file's GRU: `onnxruntime` (the optional `onnxruntime-node` peer dependency) or
 * `typescript` (`forwardGru` on the weights read back out of the file).
 */
export type GruRuntime = 'onnxruntime' | 'typescript'

/**
 * Which runtime to use: `auto` takes onnxruntime when the host installed `onnxruntime-node` and it loads, and
 * the TypeScript runtime otherwise.
 */
export type GruRuntimeChoice = 'auto' | GruRuntime

/** Options of one prediction call. */
export interface PredictOptions {
  /** Checked before and after the run; neither runtime can stop a run midway. */
  signal?: AbortSignal
}

/** A loaded PBA model file, running in one of the {@link GruRuntime}s. */
export interface GruOnnxModel {
  /** Which runtime computes the forecasts. */
  readonly runtime: GruRuntime
  /** What the file says about itself (mode, history, seed, training data, creation time). */
  readonly metadata: GruModelMetadata
  /** How raw features map to the model's inputs (and its output back to target units). */
  readonly normalization: FeatureNormalization
  /** T: time steps every sequence must have. */
  readonly historySteps: number
  /** F: features every step must have. */
  readonly featureCount: number
  /**
   * The model's output for one window of **normalised** features (T steps × F, oldest first): the normalised
   * target, exactly what `forwardGru` computes on the same weights (up to float32 rounding). Use
   * `normalizeSequence` and `denormalizeTarget` with {@link GruOnnxModel.normalization} around it for raw
   * units.
   *
   * @throws InvalidArgumentError when the window is not T steps of F finite features
   * @throws NotStartedError after {@link GruOnnxModel.dispose}
   */
  predict(sequence: readonly ArrayLike<number>[], options?: PredictOptions): Promise<number>
  /** {@link GruOnnxModel.predict} for up to {@link PREDICT_BATCH_MAX} windows in one run; one output each. */
  predictBatch(
    sequences: readonly (readonly ArrayLike<number>[])[],
    options?: PredictOptions,
  ): Promise<Float32Array>
  /** Waits for runs in flight, then releases what the runtime holds. Idempotent. */
  dispose(): Promise<void>
}

/**
 * Checks a batch of windows and packs it row-major into one float32 buffer `[batch, T, F]`. Both runtimes read
 * their input from this buffer, so they see the same float32-rounded features.
 *
 * @throws InvalidArgumentError when the batch is empty or above {@link PREDICT_BATCH_MAX}, or a window is not
 *   `historySteps` steps of `featureCount` finite features
 */
export function packBatch(
  sequences: readonly (readonly ArrayLike<number>[])[],
  historySteps: number,
  featureCount: number,
): Float32Array {
  if (!Array.isArray(sequences) || sequences.length === 0 || sequences.length > PREDICT_BATCH_MAX)
    throw new InvalidArgumentError('sequences', `must be an array of 1..${PREDICT_BATCH_MAX} sequences`)
  const data = new Float32Array(sequences.length * historySteps * featureCount)
  sequences.forEach((sequence, b) => {
    const argument = sequences.length === 1 ? 'sequence' : `sequences[${b}]`
    assertValidSequence(sequence, featureCount, argument)
    if (sequence.length !== historySteps)
      throw new InvalidArgumentError(
        argument,
        `must hold ${historySteps} steps (the model's history), got ${sequence.length}`,
      )
    for (let t = 0; t < historySteps; t++) data.set(sequence[t]!, (b * historySteps + t) * featureCount)
  })
  return data
}
