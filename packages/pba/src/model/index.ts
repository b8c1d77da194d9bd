/**
 * @packageDocumentation
 * The learned model of PBA: a one-layer GRU with a linear head that predicts the next interval's normalised
 * throughput from a window of normalised feature vectors. Trained here in TypeScript (BPTT + Adam), exported
 * as a self-contained ONNX file (weights, normalisation, metadata, SHA-256) and run through onnxruntime-node when
 * the host installed it, or through the TypeScript forward pass on the weights read back out of the file.
 *
 * @example
 * ```ts
 * import { exportGruOnnx, forwardGru, loadGruModel, trainGru } from '@dwcp/pba'
 *
 * const dataset = Array.from({ length: 64 }, (_, i) => {
 *   const sequence = Array.from({ length: 10 }, (_, t) => Float32Array.of(Math.sin((i + t) / 3)))
 *   return { sequence, target: Math.sin((i + 10) / 3) }
 * })
 * const { weights } = trainGru(dataset, { seed: 1, hiddenSize: 8, epochs: 5 })
 * const bytes = exportGruOnnx(weights, {
 *   normalization: { names: ['sine'], means: [0], scales: [1] },
 *   metadata: { mode: 'datacenter', historySteps: 10, seed: 1, trainedOn: 'sine', createdAt: '2026-01-01T00:00:00Z' },
 * })
 * const { model } = await loadGruModel(bytes) // onnxruntime when installed, else TypeScript
 * const window = dataset[0]!.sequence
 * console.log(model.runtime, await model.predict(window), forwardGru(weights, window)) // equal up to float32 rounding
 * await model.dispose()
 * ```
 */
export { AdamOptimizer, type AdamOptions, clipGradientNorm } from './adam.js'
export {
  flattenGruWeights,
  GruBackprop,
  type GruParameterLayout,
  gruParameterLayout,
  gruWeightsView,
} from './gru-gradients.js'
export {
  forwardGru,
  GRU_SIZE_MAX,
  type GruArray,
  type GruInit,
  type GruWeights,
  initGruWeights,
  toFloat32Weights,
} from './gru-model.js'
export {
  evaluateGru,
  type GruEpoch,
  type GruSample,
  type GruTrainOptions,
  type GruTrainResult,
  SEQUENCE_STEPS_MAX,
  trainGru,
} from './gru-trainer.js'
export { type LoadedGruModel, type LoadGruModelOptions, loadGruModel } from './load-gru-model.js'
export { type GruLossKind, type LossFunction, lossFunction } from './loss.js'
export { type GruModelMetadata, HISTORY_STEPS_MAX, parseModelMetadata } from './model-metadata.js'
export {
  type GruOnnxModel,
  type GruRuntime,
  type GruRuntimeChoice,
  PREDICT_BATCH_MAX,
  type PredictOptions,
} from './model-runtime.js'
export {
  denormalizeTarget,
  type FeatureNormalization,
  normalizeSequence,
  parseNormalization,
  type TargetNormalization,
} from './normalization.js'
export {
  exportGruOnnx,
  type GruExportOptions,
  INPUT_NAME,
  ONNX_IR_VERSION,
  ONNX_OPSET_VERSION,
  OUTPUT_NAME,
} from './onnx-export.js'
export { MODEL_BYTES_MAX } from './onnx-integrity.js'
export { type LoadOnnxModelOptions, loadOnnxModel } from './onnx-model.js'
export { type LoadTypeScriptModelOptions, loadTypeScriptModel } from './typescript-model.js'
