import { InvalidArgumentError } from '@dwcp/core'
import type { onnx } from 'onnx-proto'
import type { GruWeights } from './gru-model.js'
import { exportGruOnnx } from './onnx-export.js'
import { sealModel } from './onnx-integrity.js'
import type { GruModelFile } from './onnx-model-file.js'

type Tensor = onnx.ITensorProto

/** The float32 values of initializer `name`, or a typed error when the graph has no such float tensor. */
function initializer(tensors: readonly Tensor[], name: string): Float32Array {
  const found = tensors.filter((tensor) => tensor.name === name)
  if (found.length !== 1 || found[0]!.dataType !== 1)
    throw new InvalidArgumentError('model', `the graph has no single float initializer ${name}`)
  return Float32Array.from(found[0]!.floatData ?? [])
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/**
 * The GRU weights of a model file, read back out of its initializers (`gru_W`, `gru_R`, `gru_B`, `head_W`,
 * `head_B`, the layout `exportGruOnnx` writes). The read is checked to be the exact inverse of the export:
 * the weights, with the file's own normalisation and metadata, must export to the file's content byte for
 * byte. So a graph that computes anything other than `forwardGru` on these weights (another operator, an extra
 * node, a changed attribute such as `linear_before_reset`, a different head) is refused rather than run as if it
 * were the GRU, and a runtime that takes these weights computes what onnxruntime computes on the file.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`, argument `model`) when the graph is not exactly
 *   the one `exportGruOnnx` writes
 */
export function gruWeightsFromModel(file: GruModelFile): GruWeights {
  const tensors = file.model.graph?.initializer ?? []
  const headW = initializer(tensors, 'head_W')
  const hiddenSize = headW.length
  const bias = initializer(tensors, 'gru_B')
  const weights: GruWeights = {
    inputSize: file.featureCount,
    hiddenSize,
    W: initializer(tensors, 'gru_W'),
    R: initializer(tensors, 'gru_R'),
    Wb: bias.slice(0, 3 * hiddenSize),
    Rb: bias.slice(3 * hiddenSize),
    headW,
    headB: initializer(tensors, 'head_B')[0] ?? Number.NaN,
  }
  let reexported: Uint8Array
  try {
    reexported = exportGruOnnx(weights, { normalization: file.normalization, metadata: file.metadata })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new InvalidArgumentError('model', `its weights are not a GRU this package writes: ${reason}`)
  }
  if (!bytesEqual(reexported, sealModel(file.model)))
    throw new InvalidArgumentError(
      'model',
      'its graph is not the GRU this package writes (an operator, attribute or tensor differs), so only onnxruntime may run it',
    )
  return weights
}
