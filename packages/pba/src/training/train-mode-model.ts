import { seededRandom } from '@dwcp/core'
import { forwardGru, type GruWeights } from '../model/gru-model.js'
import { type GruEpoch, trainGru } from '../model/gru-trainer.js'
import type { FeatureNormalization } from '../model/normalization.js'
import {
  buildTrainingSet,
  type FeatureSeries,
  seriesWindows,
  traceSeries,
  windowSequences,
} from './dataset.js'
import { type ForecastScore, ForecastScorer, STALL_MBPS, windowBaselines } from './evaluate.js'
import { bandwidthBpsFromLog } from './features.js'
import { MODE_TRAINING, type ModelMode, type ModeTrainingConfig } from './modes.js'
import { forecastLogMbps, normalizeTarget } from './normalization.js'
import { splitTraces } from './split.js'
import type { Trace } from './trace-set.js'

/** Windows of the validation traces scored after every epoch (early stopping) and at the end. */
export const VALIDATION_WINDOWS_MAX = 4000

/** Options of {@link trainModeModel}. */
export interface TrainModeModelOptions {
  /** Which default model to train; picks {@link MODE_TRAINING}'s configuration. */
  mode: ModelMode
  /** The whole trace set: {@link splitTraces} picks the training and validation traces from it. */
  traces: readonly Trace[]
  /** Seed of window choice, scale augmentation, initialisation and batch order. */
  seed: number
  /** Overrides of the mode's configuration (smaller runs in tests). */
  config?: Partial<ModeTrainingConfig>
  /** Called after every epoch, e.g. to print progress. */
  onEpoch?: (epoch: GruEpoch) => void
}

/** Scores of a trained model beside the two simplest baselines, on the same windows. */
export interface ValidationScores {
  /** The model's forecasts. */
  model: ForecastScore
  /** Harmonic mean of the last 5 measured values, on the same windows. */
  harmonicMean: ForecastScore
  /** Last measured value, on the same windows. */
  lastValue: ForecastScore
}

/** Validation of a trained model: over every window, and without the stall seconds ({@link STALL_MBPS}). */
export interface ModelValidation extends ValidationScores {
  /** Number of validation traces. */
  traces: number
  /** The same scores without targets below {@link STALL_MBPS} (times the evaluation scale). */
  withoutStalls: ValidationScores
}

/** A trained model of one mode, ready to export. */
export interface TrainedModeModel {
  /** The mode trained for. */
  mode: ModelMode
  /** The configuration used, overrides applied. */
  config: ModeTrainingConfig
  /** Float32 weights, as the ONNX file stores them. */
  weights: GruWeights
  /** Fitted on the training windows; ships inside the model file. */
  normalization: FeatureNormalization
  /** One record per epoch. */
  history: GruEpoch[]
  /** Epoch whose weights were kept (lowest validation loss). */
  bestEpoch: number
  /** Validation scores (MAPE at the mode's evaluation scale). */
  validation: ModelValidation
  /** Number of training traces and windows. */
  trained: { traces: number; windows: number }
}

/**
 * Trains the default model of `mode` on the training part of `traces` (split by trace, see
 * {@link splitTraces}): draws windows with the mode's scale augmentation, fits the normalisation, runs the
 * GRU trainer with early stopping on the validation traces, then scores the kept weights on those traces next
 * to the harmonic-mean and last-value baselines. Deterministic in `seed`. Runs on the calling thread.
 */
export function trainModeModel(options: TrainModeModelOptions): TrainedModeModel {
  const config: ModeTrainingConfig = { ...MODE_TRAINING[options.mode], ...options.config }
  const { historySteps } = config
  const random = seededRandom(options.seed)
  const split = splitTraces(options.traces)

  const trainSeries = split.train.map((trace) => traceSeries(trace.mbps))
  const { examples, normalization } = buildTrainingSet(trainSeries, {
    historySteps,
    examplesMax: config.examplesMax,
    scaleRange: config.scaleRange,
    random,
  })

  const validationSeries = split.validation.map((trace) => traceSeries(trace.mbps, config.evaluationScale))
  // Every k-th window, so the validation set is the same whatever the seed and the training settings.
  const allValidationWindows = seriesWindows(validationSeries, historySteps)
  const stride = Math.ceil(allValidationWindows.length / VALIDATION_WINDOWS_MAX)
  const validationWindows = allValidationWindows.filter((_, i) => i % stride === 0)
  const validationSet = windowSequences(validationSeries, validationWindows, historySteps, normalization)
  const result = trainGru(examples, {
    seed: options.seed,
    hiddenSize: config.hiddenSize,
    epochs: config.epochs,
    learningRate: config.learningRate,
    loss: config.loss,
    huberDelta: config.huberDelta,
    validation: validationSet.map(({ sequence, lastLogMbps, targetLogMbps }) => ({
      sequence,
      target: normalizeTarget(targetLogMbps, lastLogMbps, normalization),
    })),
    patience: 3,
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
  })

  return {
    mode: options.mode,
    config,
    weights: result.weights,
    normalization,
    history: result.history,
    bestEpoch: result.bestEpoch,
    validation: {
      traces: split.validation.length,
      ...scoreWindows(result.weights, normalization, validationSeries, validationWindows, validationSet, 0),
      withoutStalls: scoreWindows(
        result.weights,
        normalization,
        validationSeries,
        validationWindows,
        validationSet,
        STALL_MBPS * 1e6 * config.evaluationScale,
      ),
    },
    trained: { traces: split.train.length, windows: examples.length },
  }
}

/** MAPE of the model and of the two baselines on the same windows, skipping targets below `observedMinBps`. */
function scoreWindows(
  weights: GruWeights,
  normalization: FeatureNormalization,
  series: readonly FeatureSeries[],
  windows: ReturnType<typeof seriesWindows>,
  sequences: ReturnType<typeof windowSequences>,
  observedMinBps: number,
): ValidationScores {
  const model = new ForecastScorer(observedMinBps)
  const harmonicMean = new ForecastScorer(observedMinBps)
  const lastValue = new ForecastScorer(observedMinBps)
  windows.forEach((window, i) => {
    const { sequence, lastLogMbps, targetLogMbps } = sequences[i]!
    const observedBps = bandwidthBpsFromLog(targetLogMbps)
    const output = forwardGru(weights, sequence)
    const forecastBps = bandwidthBpsFromLog(forecastLogMbps(output, lastLogMbps, normalization))
    const baselines = windowBaselines(series[window.series]!, window)
    model.add(forecastBps, observedBps)
    harmonicMean.add(baselines.harmonicMeanBps, observedBps)
    lastValue.add(baselines.lastValueBps, observedBps)
  })
  return { model: model.score(), harmonicMean: harmonicMean.score(), lastValue: lastValue.score() }
}
