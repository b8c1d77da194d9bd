/**
 * The learned predictors: {@link onnxPredictor} runs a shipped or retrained GRU (through onnxruntime when the
 * host installed it, else through the TypeScript forward pass) with a harmonic-mean fallback, and
 * {@link ensemblePredictor} combines predictors by confidence for hybrid mode.
 */
export { bundledModelPath, packageDirectory, readBundledModel } from './bundled-model.js'
export {
  combineForecasts,
  type EnsemblePredictor,
  type EnsemblePredictorInit,
  ensemblePredictor,
} from './ensemble-predictor.js'
export { type ForecastModel, loadForecastModel } from './forecast-model.js'
export { type InferenceJob, InferenceQueue } from './inference-queue.js'
export {
  type OnnxPredictor,
  type OnnxPredictorHealth,
  type OnnxPredictorInit,
  onnxPredictor,
  type RetrainOptions,
  type RetrainResult,
} from './onnx-predictor.js'
export { REFIT_VALIDATION_SHARE, type RefitParameters, type RefitResult, refitModelBytes } from './refit.js'
export { SampleLog } from './sample-log.js'
