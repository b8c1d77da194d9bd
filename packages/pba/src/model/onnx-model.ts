import { AbortedError, InvalidArgumentError, NotStartedError } from '@dwcp/core'
import type { onnx } from 'onnx-proto'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { assertValidSequence } from './gru-model.js'
import { type GruModelMetadata, parseModelMetadata } from './model-metadata.js'
import { type FeatureNormalization, parseNormalization } from './normalization.js'
import { INPUT_NAME, OUTPUT_NAME } from './onnx-export.js'
import { METADATA_KEY, NORMALIZATION_KEY, openSealedModel } from './onnx-integrity.js'

/** Most sequences one {@link GruOnnxModel.predictBatch} call takes, to bound the input tensor. */
export const PREDICT_BATCH_MAX = 4096

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

/** Options of one prediction call. */
export interface PredictOptions {
  /** Checked before and after the run; onnxruntime cannot stop a run midway. */
  signal?: AbortSignal
}

/** A loaded PBA model, running in onnxruntime. */
export interface GruOnnxModel {
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
  /** Waits for runs in flight, then releases the session. Idempotent. */
  dispose(): Promise<void>
}

type Dimension = onnx.TensorShapeProto.IDimension
type ValueInfo = onnx.IValueInfoProto

/** A protobuf int64 as a number: protobufjs decodes them as `Long` objects when the `long` package is present. */
function int64(value: number | { toNumber(): number } | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined
  return typeof value === 'number' ? value : value.toNumber()
}

function describeShape(dims: readonly Dimension[]): string {
  return `[${dims.map((d) => d.dimParam || String(int64(d.dimValue) ?? '?')).join(', ')}]`
}

/** The single float tensor value named `name` in `values`, or a typed error naming what is wrong. */
function floatTensorDims(
  values: readonly ValueInfo[] | null | undefined,
  name: string,
  role: string,
): Dimension[] {
  const list = values ?? []
  if (list.length !== 1 || list[0]?.name !== name)
    throw new InvalidArgumentError(
      'model',
      `expected one graph ${role} named ${name}, found [${list.map((v) => v.name).join(', ')}]`,
    )
  const tensor = list[0].type?.tensorType
  if (tensor?.elemType !== 1 || !tensor.shape)
    throw new InvalidArgumentError('model', `graph ${role} ${name} must be a float32 tensor with a shape`)
  return tensor.shape.dim ?? []
}

function readJson(props: Map<string, string>, key: string): unknown {
  const text = props.get(key)
  if (text === undefined) throw new InvalidArgumentError('model', `metadata_props has no ${key} entry`)
  try {
    return JSON.parse(text)
  } catch {
    throw new InvalidArgumentError('model', `metadata_props ${key} is not valid JSON`)
  }
}

/**
 * Loads a model written by `exportGruOnnx` into an onnxruntime session (CPU). Before onnxruntime sees a byte,
 * the file's SHA-256 is checked over its decoded content, its metadata and normalisation are parsed, and its
 * input must be `features` `[batch, historySteps, featureCount]` float32 with the counts the metadata names;
 * onnxruntime then loads the verified canonical encoding.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`, argument `model`) with the reason, for bytes that
 *   are not an ONNX protobuf, a truncated or modified file, an ONNX model that is not a PBA model (no format
 *   entry), missing or malformed metadata, a wrong input or output shape, or a graph onnxruntime rejects
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

  const { model, canonical, props } = openSealedModel(bytes)
  const metadata = parseModelMetadata(readJson(props, METADATA_KEY), 'model metadata')
  const graph = model.graph
  if (!graph) throw new InvalidArgumentError('model', 'has no graph')
  const inputDims = floatTensorDims(graph.input, INPUT_NAME, 'input')
  const historySteps = int64(inputDims[1]?.dimValue)
  const featureCount = int64(inputDims[2]?.dimValue)
  if (
    inputDims.length !== 3 ||
    historySteps !== metadata.historySteps ||
    !(featureCount !== undefined && featureCount >= 1)
  )
    throw new InvalidArgumentError(
      'model',
      `input ${INPUT_NAME} has shape ${describeShape(inputDims)}, expected [batch, ${metadata.historySteps}, features]`,
    )
  const outputDims = floatTensorDims(graph.output, OUTPUT_NAME, 'output')
  if (outputDims.length !== 2 || int64(outputDims[1]?.dimValue) !== 1)
    throw new InvalidArgumentError(
      'model',
      `output ${OUTPUT_NAME} has shape ${describeShape(outputDims)}, expected [batch, 1]`,
    )
  const normalization = parseNormalization(
    readJson(props, NORMALIZATION_KEY),
    featureCount,
    'model normalization',
  )

  let session: InferenceSession
  try {
    session = await InferenceSession.create(canonical, {
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
  return new SessionModel(session, metadata, normalization, historySteps, featureCount)
}

class SessionModel implements GruOnnxModel {
  readonly #session: InferenceSession
  readonly #inFlight = new Set<Promise<unknown>>()
  #disposed: Promise<void> | undefined

  constructor(
    session: InferenceSession,
    readonly metadata: GruModelMetadata,
    readonly normalization: FeatureNormalization,
    readonly historySteps: number,
    readonly featureCount: number,
  ) {
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
    if (!Array.isArray(sequences) || sequences.length === 0 || sequences.length > PREDICT_BATCH_MAX)
      throw new InvalidArgumentError('sequences', `must be an array of 1..${PREDICT_BATCH_MAX} sequences`)
    const { signal } = options
    if (signal?.aborted) throw new AbortedError(signal.reason)
    const T = this.historySteps
    const F = this.featureCount
    const data = new Float32Array(sequences.length * T * F)
    sequences.forEach((sequence, b) => {
      const argument = sequences.length === 1 ? 'sequence' : `sequences[${b}]`
      assertValidSequence(sequence, F, argument)
      if (sequence.length !== T)
        throw new InvalidArgumentError(
          argument,
          `must hold ${T} steps (the model's history), got ${sequence.length}`,
        )
      for (let t = 0; t < T; t++) data.set(sequence[t]!, (b * T + t) * F)
    })
    const run = this.#session.run({ [INPUT_NAME]: new Tensor('float32', data, [sequences.length, T, F]) })
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
