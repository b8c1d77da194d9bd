import { AbortedError, NotStartedError } from '@dwcp/core'
import { forwardGru, type GruWeights } from './gru-model.js'
import type { GruModelMetadata } from './model-metadata.js'
import { type GruOnnxModel, type PredictOptions, packBatch } from './model-runtime.js'
import type { FeatureNormalization } from './normalization.js'
import { readGruModelFile } from './onnx-model-file.js'
import { gruWeightsFromModel } from './onnx-weights.js'

/** Options of {@link loadTypeScriptModel}. */
export interface LoadTypeScriptModelOptions {
  /** Aborts the load. */
  signal?: AbortSignal
}

/**
 * Loads a model written by `exportGruOnnx` into the TypeScript runtime: the file is checked as for onnxruntime
 * (`readGruModelFile`), its weights are read back out exactly (`gruWeightsFromModel`), and each window runs
 * through `forwardGru`. Needs nothing beyond this package. It computes in float64 on the float32 weights and
 * inputs, and rounds the output to float32 as onnxruntime returns it; the two agree within 10⁻⁵ on the shipped
 * models (tested). A 60-step, 24-unit forecast costs a few hundred microseconds on the calling thread.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`, argument `model`) for everything
 *   `readGruModelFile` refuses, and for a graph that is not exactly the GRU `exportGruOnnx` writes
 * @throws AbortedError when `options.signal` aborts
 */
export async function loadTypeScriptModel(
  bytes: Uint8Array,
  options: LoadTypeScriptModelOptions = {},
): Promise<GruOnnxModel> {
  const { signal } = options
  if (signal?.aborted) throw new AbortedError(signal.reason)
  const file = readGruModelFile(bytes)
  const weights = gruWeightsFromModel(file)
  return new TypeScriptModel(weights, file.metadata, file.normalization, file.historySteps, file.featureCount)
}

class TypeScriptModel implements GruOnnxModel {
  readonly runtime = 'typescript'
  readonly #weights: GruWeights
  #disposed = false

  constructor(
    weights: GruWeights,
    readonly metadata: GruModelMetadata,
    readonly normalization: FeatureNormalization,
    readonly historySteps: number,
    readonly featureCount: number,
  ) {
    this.#weights = weights
  }

  async predict(sequence: readonly ArrayLike<number>[], options?: PredictOptions): Promise<number> {
    const [prediction] = await this.predictBatch([sequence], options)
    return prediction!
  }

  async predictBatch(
    sequences: readonly (readonly ArrayLike<number>[])[],
    options: PredictOptions = {},
  ): Promise<Float32Array> {
    if (this.#disposed) throw new NotStartedError('PBA ONNX model (disposed)')
    const T = this.historySteps
    const F = this.featureCount
    const data = packBatch(sequences, T, F)
    const { signal } = options
    if (signal?.aborted) throw new AbortedError(signal.reason)
    const outputs = new Float32Array(sequences.length)
    for (let b = 0; b < sequences.length; b++) {
      const steps = Array.from({ length: T }, (_, t) => data.subarray((b * T + t) * F, (b * T + t + 1) * F))
      outputs[b] = forwardGru(this.#weights, steps)
    }
    return outputs
  }

  dispose(): Promise<void> {
    // Runs are synchronous inside predictBatch, so none is in flight here: only later calls are refused.
    this.#disposed = true
    return Promise.resolve()
  }
}
