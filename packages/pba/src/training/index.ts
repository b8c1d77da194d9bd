/**
 * Training of PBA's default models from throughput traces: trace loading, features, normalisation, the split
 * by trace, window datasets, the per-mode configuration, the training run and the model file it writes.
 */
export {
  buildTrainingSet,
  type FeatureSeries,
  type SequenceExample,
  type SeriesWindow,
  sampleWithoutReplacement,
  seriesWindows,
  type TrainingSet,
  type TrainingSetOptions,
  traceSeries,
  type WindowSequence,
  windowSequences,
} from './dataset.js'
export {
  type ForecastScore,
  ForecastScorer,
  STALL_MBPS,
  type WindowBaselines,
  windowBaselines,
} from './evaluate.js'
export {
  bandwidthBpsFromLog,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FeatureExtractor,
  type FeatureSample,
  logThroughputMbps,
  THROUGHPUT_FLOOR_BPS,
  traceFeatureRows,
} from './features.js'
export { type TrainedModelFileOptions, trainedModelBytes } from './model-file.js'
export { isModelMode, MODE_TRAINING, MODEL_MODES, type ModelMode, type ModeTrainingConfig } from './modes.js'
export {
  assertChangeTarget,
  FEATURE_STD_MIN,
  fitNormalization,
  forecastLogMbps,
  NormalizationAccumulator,
  normalizeRow,
  normalizeTarget,
  PINNED_FEATURE_SCALE,
  TARGET_NAME,
  THROUGHPUT_LOG_STD_MIN,
} from './normalization.js'
export { FCC_HELD_OUT_EVERY, splitTraces, type TraceSplit, VALIDATION_EVERY } from './split.js'
export { type PensieveSplit, parseTraceCsv, readTraceSet, type Trace, type TraceFamily } from './trace-set.js'
export {
  parseTrainArgs,
  runTrainCommand,
  TRAIN_USAGE,
  type TrainCommand,
  type TrainCommandDefaults,
} from './train-command.js'
export {
  type ModelValidation,
  type TrainedModeModel,
  type TrainModeModelOptions,
  trainModeModel,
  VALIDATION_WINDOWS_MAX,
  type ValidationScores,
} from './train-mode-model.js'
