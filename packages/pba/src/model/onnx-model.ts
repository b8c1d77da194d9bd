import { AbortedError, InvalidArgumentError, NotStartedError } from '@dwcp/core'
import type { InferenceSession } from 'onnxruntime-node'
import type { GruModelMetadata } from './model-metadata.js'
import { type GruOnnxModel, type PredictOptions, packBatch } from './model-runtime.js'
import type { FeatureNormalization } from './normalization.js'
import { INPUT_NAME, OUTPUT_NAME } from './onnx-export.js'
import { readGruModelFile } from './onnx-model-file.js'
import { importOnnxRuntime, type OnnxRuntimeModule } from './onnxruntime-module.js'

/** Options of {@link loadOnnxModel}. */
export interface LoadOnnxModelOptions {
  /**
   * Threads onnxruntime may use inside one operator. One is fastest for a model this small (a thread pool costs
   * more than it saves) and leaves the cores to the transport. @default 1
   */
  intraOpNumThreads?: number
  /** Aborts the load; a session created in the meantime is released. */
  signal?: AbortSignal
}

/**
 * Loads a model written by `exportGruOnnx` into an onnxruntime session (CPU). Before onnxruntime sees a byte,
 * the file is checked as `readGruModelFile` does (SHA-256, metadata, normalisation, shapes); onnxruntime then
 * loads the verified canonical encoding. Needs the optional peer dependency `onnxruntime-node`;
 * `loadGruModel` runs the same file without it.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`, argument `model`) with the reason, for bytes that
 *   are not an ONNX protobuf, a truncated or modified file, an ONNX model that is not a PBA model (no format
 *   entry), missing or malformed metadata, a wrong input or output shape, or a graph onnxruntime rejects
 * @throws ComponentAbsentError (`DWCP_ERR_COMPONENT_ABSENT`) when `onnxruntime-node` is not installed or does
 *   not load
 * @throws AbortedError when `options.signal` aborts
 */
export async function loadOnnxModel(
  bytes: Uint8Array,
  options: LoadOnnxModelOptions = {},
): Promise<GruOnnxModel> {
  const signal = options.signal
  if (signal?.aborted) throw new AbortedError(signal.reason)
  const threads = options.intraOpNumThreads ?? 1
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new InvalidArgumentError(
      'intraOpNumThreads',
      `must be an integer in 1..256, got ${String(threads)}`,
    )

  const file = readGruModelFile(bytes)
  const ort = await importOnnxRuntime()
  let session: InferenceSession
  try {
    session = await ort.InferenceSession.create(file.canonical, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new InvalidArgumentError('model', `onnxruntime rejected the graph: ${reason}`)
  }
  if (signal?.aborted) {
    await session.release()
    throw new AbortedError(signal.reason)
  }
  return new SessionModel(
    ort,
    session,
    file.metadata,
    file.normalization,
    file.historySteps,
    file.featureCount,
  )
}

class SessionModel implements GruOnnxModel {
  readonly runtime = 'onnxruntime'
  readonly #ort: OnnxRuntimeModule
  readonly #session: InferenceSession
  readonly #inFlight = new Set<Promise<unknown>>()
  #disposed: Promise<void> | undefined

  constructor(
    ort: OnnxRuntimeModule,
    session: InferenceSession,
    readonly metadata: GruModelMetadata,
    readonly normalization: FeatureNormalization,
    readonly historySteps: number,
    readonly featureCount: number,
  ) {
    this.#ort = ort
    this.#session = session
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
    const data = packBatch(sequences, this.historySteps, this.featureCount)
    const { signal } = options
    if (signal?.aborted) throw new AbortedError(signal.reason)
    const input = new this.#ort.Tensor('float32', data, [
      sequences.length,
      this.historySteps,
      this.featureCount,
    ])
    const run = this.#session.run({ [INPUT_NAME]: input })
    this.#inFlight.add(run)
    let outputs: InferenceSession.ReturnType
    try {
      outputs = await run
    } finally {
      this.#inFlight.delete(run)
    }
    const output = outputs[OUTPUT_NAME]
    if (!output || !(output.data instanceof Float32Array) || output.data.length !== sequences.length)
      throw new InvalidArgumentError('model', `output ${OUTPUT_NAME} does not hold one float per sequence`)
    if (signal?.aborted) throw new AbortedError(signal.reason)
    return output.data
  }

  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      await Promise.allSettled([...this.#inFlight])
      await this.#session.release()
    })()
    return this.#disposed
  }
}
