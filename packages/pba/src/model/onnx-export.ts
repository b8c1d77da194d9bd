import onnxProto from 'onnx-proto'
import { assertValidGruWeights, type GruWeights } from './gru-model.js'
import { type GruModelMetadata, parseModelMetadata } from './model-metadata.js'
import { type FeatureNormalization, parseNormalization } from './normalization.js'
import { FORMAT_KEY, FORMAT_VERSION, METADATA_KEY, NORMALIZATION_KEY, sealModel } from './onnx-integrity.js'

const { onnx } = onnxProto

/**
 * ONNX IR version written: 8 is the newest the bundled protobuf schema (ONNX 1.10) knows, and every
 * onnxruntime since 1.10 reads it.
 */
export const ONNX_IR_VERSION = 8
/** Default-domain opset imported: 17 is covered by IR 8 and has `GRU`-14 (with `layout`) and `Squeeze`-13. */
export const ONNX_OPSET_VERSION = 17
/** Name of the model's input, `[batch, historySteps, featureCount]` float32. */
export const INPUT_NAME = 'features'
/** Name of the model's output, `[batch, 1]` float32. */
export const OUTPUT_NAME = 'prediction'

/** Options of {@link exportGruOnnx}. */
export interface GruExportOptions {
  /** How the model's features were normalised; its `names` must count `weights.inputSize` features. */
  normalization: FeatureNormalization
  /** Mode, history length, seed, training data and creation time stored in the file. */
  metadata: GruModelMetadata
}

const FLOAT = onnx.TensorProto.DataType.FLOAT
const INT64 = onnx.TensorProto.DataType.INT64

function floatTensor(
  name: string,
  dims: number[],
  values: ArrayLike<number>,
): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: Array.from(values) })
}

function intAttribute(name: string, i: number): InstanceType<typeof onnx.AttributeProto> {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i })
}

function tensorValue(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } })
}

/**
 * Writes `weights` as a self-contained ONNX model that computes {@link forwardGru} in float32 for a batch:
 *
 * ```
 * features [batch, T, F] ─Transpose(1,0,2)→ [T, batch, F] ─GRU(z,r,h; linear_before_reset=1)→ Y_h [1, batch, H]
 *   ─Squeeze(0)→ [batch, H] ─Gemm(head_W [H,1], head_B [1])→ prediction [batch, 1]
 * ```
 *
 * The transpose is there because onnxruntime's CPU GRU supports only the time-major layout (`layout = 0`).
 * `Y_h` is the hidden state after the last step, so no Gather/Slice of `Y` is needed. T is fixed to
 * `metadata.historySteps`; the batch dimension is free. The normalisation and metadata go into
 * `metadata_props` as JSON next to a format version and a SHA-256 of the whole model, which the loader
 * checks. The output is deterministic: the same arguments give the same bytes.
 *
 * @throws InvalidArgumentError when the weights are malformed or non-finite, or the normalisation or metadata
 *   are incomplete or disagree with the weights' input size
 */
export function exportGruOnnx(weights: GruWeights, options: GruExportOptions): Uint8Array {
  assertValidGruWeights(weights)
  const { inputSize: F, hiddenSize: H } = weights
  const normalization = parseNormalization(options?.normalization, F)
  const metadata = parseModelMetadata(options?.metadata)
  const T = metadata.historySteps

  const bias = new Float32Array(6 * H)
  bias.set(weights.Wb, 0)
  bias.set(weights.Rb, 3 * H)
  const graph = onnx.GraphProto.create({
    name: `pba_gru_${metadata.mode}`,
    input: [tensorValue(INPUT_NAME, ['batch', T, F])],
    output: [tensorValue(OUTPUT_NAME, ['batch', 1])],
    initializer: [
      floatTensor('gru_W', [1, 3 * H, F], weights.W),
      floatTensor('gru_R', [1, 3 * H, H], weights.R),
      floatTensor('gru_B', [1, 6 * H], bias),
      floatTensor('head_W', [H, 1], weights.headW),
      floatTensor('head_B', [1], [weights.headB]),
      onnx.TensorProto.create({ name: 'squeeze_axes', dims: [1], dataType: INT64, int64Data: [0] }),
    ],
    node: [
      onnx.NodeProto.create({
        name: 'to_time_major',
        opType: 'Transpose',
        input: [INPUT_NAME],
        output: ['features_time_major'],
        attribute: [
          onnx.AttributeProto.create({
            name: 'perm',
            type: onnx.AttributeProto.AttributeType.INTS,
            ints: [1, 0, 2],
          }),
        ],
      }),
      onnx.NodeProto.create({
        name: 'gru',
        opType: 'GRU',
        input: ['features_time_major', 'gru_W', 'gru_R', 'gru_B'],
        // The full sequence output Y is not needed: an empty name leaves the optional output out.
        output: ['', 'gru_last_hidden'],
        attribute: [intAttribute('hidden_size', H), intAttribute('linear_before_reset', 1)],
      }),
      onnx.NodeProto.create({
        name: 'drop_direction_axis',
        opType: 'Squeeze',
        input: ['gru_last_hidden', 'squeeze_axes'],
        output: ['last_hidden'],
      }),
      onnx.NodeProto.create({
        name: 'head',
        opType: 'Gemm',
        input: ['last_hidden', 'head_W', 'head_B'],
        output: [OUTPUT_NAME],
      }),
    ],
  })
  return sealModel({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET_VERSION }],
    producerName: 'dwcp-pba',
    producerVersion: FORMAT_VERSION,
    docString: `DWCP PBA throughput model (${metadata.mode}): GRU(${F}→${H}) over ${T} steps + linear head`,
    graph,
    metadataProps: [
      { key: FORMAT_KEY, value: FORMAT_VERSION },
      { key: METADATA_KEY, value: JSON.stringify(metadata) },
      { key: NORMALIZATION_KEY, value: JSON.stringify(normalization) },
    ],
  })
}
