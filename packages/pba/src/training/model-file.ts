import { exportGruOnnx } from '../model/onnx-export.js'
import { FCC_HELD_OUT_EVERY, VALIDATION_EVERY } from './split.js'
import type { TrainedModeModel } from './train-mode-model.js'

/** Options of {@link trainedModelBytes}. */
export interface TrainedModelFileOptions {
  /** The seed the model was trained with. */
  seed: number
  /**
   * Creation time stored in the file, ISO 8601. Passed in rather than read from a clock so that the same seed
   * and time give the same bytes (the training script takes it from `SOURCE_DATE_EPOCH` when set).
   */
  createdAt: string
}

/** Rounds a score for the file's metadata: four significant digits say all a reader needs. */
const rounded = (value: number): number => Number(value.toPrecision(4))

/**
 * The ONNX file of a model trained from traces: weights, normalisation and a metadata record that says how it
 * was trained (split rule, scale augmentation, sizes) and how it scored on the validation traces.
 */
export function trainedModelBytes(trained: TrainedModeModel, options: TrainedModelFileOptions): Uint8Array {
  const { config, validation } = trained
  const trainedOn =
    `FCC + Norway HSDPA throughput traces (Pensieve family), ${trained.trained.traces} training traces; ` +
    `split by trace: held out = Pensieve test split + every ${FCC_HELD_OUT_EVERY}th FCC trace, validation = ` +
    `every ${VALIDATION_EVERY}th remaining trace; throughput scaled per window by ` +
    `[${config.scaleRange[0]}, ${config.scaleRange[1]}] log-uniform`
  return exportGruOnnx(trained.weights, {
    normalization: trained.normalization,
    metadata: {
      mode: trained.mode,
      historySteps: config.historySteps,
      seed: options.seed,
      trainedOn,
      createdAt: options.createdAt,
      extra: {
        hiddenSize: config.hiddenSize,
        trainingWindows: trained.trained.windows,
        epochsRun: trained.history.length,
        bestEpoch: trained.bestEpoch,
        evaluationScale: config.evaluationScale,
        validationTraces: validation.traces,
        validationMape: rounded(validation.model.meanAbsolutePercentageError),
        validationHarmonicMeanMape: rounded(validation.harmonicMean.meanAbsolutePercentageError),
        validationLastValueMape: rounded(validation.lastValue.meanAbsolutePercentageError),
        validationMapeWithoutStalls: rounded(validation.withoutStalls.model.meanAbsolutePercentageError),
        validationHarmonicMeanMapeWithoutStalls: rounded(
          validation.withoutStalls.harmonicMean.meanAbsolutePercentageError,
        ),
      },
    },
  })
}
