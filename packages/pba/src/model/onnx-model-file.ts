import { InvalidArgumentError } from '@dwcp/core'
import type { onnx } from 'onnx-proto'
import { type GruModelMetadata, parseModelMetadata } from './model-metadata.js'
import { type FeatureNormalization, parseNormalization } from './normalization.js'
import { INPUT_NAME, OUTPUT_NAME } from './onnx-export.js'
import { METADATA_KEY, NORMALIZATION_KEY, type OpenedModel, openSealedModel } from './onnx-integrity.js'

/** A model file whose digest, metadata, normalisation and input/output shapes were checked. */
export interface GruModelFile extends OpenedModel {
  /** What the file says about itself. */
  metadata: GruModelMetadata
  /** The feature normalisation stored in the file. */
  normalization: FeatureNormalization
  /** T, from the input shape (equal to `metadata.historySteps`). */
  historySteps: number
  /** F, from the input shape (equal to the normalisation's feature count). */
  featureCount: number
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
 * Opens a model written by `exportGruOnnx` and checks everything a runtime relies on before it sees a byte: the
 * file's SHA-256 over its decoded content, its metadata and normalisation, and its input `features`
 * `[batch, historySteps, featureCount]` float32 with the counts the metadata names, output `prediction`
 * `[batch, 1]`.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`, argument `model`) for bytes that are not an ONNX
 *   protobuf, a truncated or modified file, an ONNX model that is not a PBA model (no format entry), missing or
 *   malformed metadata, or a wrong input or output shape
 */
export function readGruModelFile(bytes: Uint8Array): GruModelFile {
  const opened = openSealedModel(bytes)
  const metadata = parseModelMetadata(readJson(opened.props, METADATA_KEY), 'model metadata')
  const graph = opened.model.graph
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
    readJson(opened.props, NORMALIZATION_KEY),
    featureCount,
    'model normalization',
  )
  return { ...opened, metadata, normalization, historySteps, featureCount }
}
