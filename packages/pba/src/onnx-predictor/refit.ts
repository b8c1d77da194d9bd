import { InvalidArgumentError, seededRandom } from '@dwcp/core'
import { type GruEpoch, trainGru } from '../model/gru-trainer.js'
import { exportGruOnnx } from '../model/onnx-export.js'
import { buildTrainingSet, type FeatureSeries, seriesWindows, windowSequences } from '../training/dataset.js'
import { MODE_TRAINING, type ModelMode } from '../training/modes.js'
import { normalizeTarget } from '../training/normalization.js'

/** Share of the collected steps (the most recent ones) whose targets validate a refit rather than train it. */
export const REFIT_VALIDATION_SHARE = 0.2

/** What {@link refitModelBytes} fits and how. */
export interface RefitParameters {
  /** Path class written into the model file. */
  mode: ModelMode
  /** Steps of history per forecast (the current model's). */
  historySteps: number
  /** GRU hidden units. */
  hiddenSize: number
  /** Seed of window choice, initialisation and batch order. */
  seed: number
  /** Passes over the windows, at most (early stopping may end sooner). */
  epochs: number
  /** Largest number of training windows drawn. */
  examplesMax: number
  /** Fewest measured samples accepted. */
  samplesMin: number
  /** Creation time for the file, ISO 8601. */
  createdAt: string
}

/** A refitted model file and how the fit went. */
export interface RefitResult {
  /** The new model file. */
  bytes: Uint8Array
  /** Samples (steps) the fit drew on. */
  samples: number
  /** Training windows drawn. */
  windows: number
  /** One record per epoch run. */
  history: GruEpoch[]
}

/**
 * Fits a fresh GRU on one series of collected samples and writes it as a model file with its own
 * normalisation (live samples carry RTT, loss and jitter, which the trace-trained models had to pin). The
 * most recent {@link REFIT_VALIDATION_SHARE} of the steps serve as targets for early stopping only, so the
 * kept weights are the ones that forecast the latest behaviour best rather than the ones that fit the past.
 * Runs synchronously: the trainer blocks the calling thread for the fit.
 *
 * @throws InvalidArgumentError (`samples`) when fewer than `samplesMin` measured samples were collected
 */
export function refitModelBytes(series: FeatureSeries, parameters: RefitParameters): RefitResult {
  const { historySteps, samplesMin } = parameters
  const measured = series.measured.filter(Boolean).length
  if (measured < Math.max(samplesMin, historySteps + 2))
    throw new InvalidArgumentError(
      'samples',
      `retrain needs at least ${Math.max(samplesMin, historySteps + 2)} measured samples, ${measured} were collected`,
    )
  const cut = Math.max(historySteps + 1, Math.floor(series.rows.length * (1 - REFIT_VALIDATION_SHARE)))
  const trainSeries: FeatureSeries = {
    rows: series.rows.slice(0, cut),
    measured: series.measured.slice(0, cut),
  }
  const { examples, normalization } = buildTrainingSet([trainSeries], {
    historySteps,
    examplesMax: parameters.examplesMax,
    random: seededRandom(parameters.seed),
  })
  const validationWindows = seriesWindows([series], historySteps).filter(({ end }) => end + 1 >= cut)
  const validation = windowSequences([series], validationWindows, historySteps, normalization).map(
    ({ sequence, lastLogMbps, targetLogMbps }) => ({
      sequence,
      target: normalizeTarget(targetLogMbps, lastLogMbps, normalization),
    }),
  )
  const result = trainGru(examples, {
    seed: parameters.seed,
    hiddenSize: parameters.hiddenSize,
    epochs: parameters.epochs,
    // The loss the mode's default model was trained with (see MODE_TRAINING).
    loss: MODE_TRAINING[parameters.mode].loss,
    huberDelta: MODE_TRAINING[parameters.mode].huberDelta,
    ...(validation.length > 0 ? { validation, patience: 2 } : {}),
  })
  const bytes = exportGruOnnx(result.weights, {
    normalization,
    metadata: {
      mode: parameters.mode,
      historySteps,
      seed: parameters.seed,
      trainedOn: `retrain() on ${series.rows.length} samples collected by one predictor`,
      createdAt: parameters.createdAt,
      extra: {
        hiddenSize: parameters.hiddenSize,
        trainingWindows: examples.length,
        bestEpoch: result.bestEpoch,
      },
    },
  })
  return { bytes, samples: series.rows.length, windows: examples.length, history: result.history }
}
