import { InvalidArgumentError } from '@dwcp/core'
import { loadGruModel } from '../model/load-gru-model.js'
import type { GruOnnxModel, GruRuntime, GruRuntimeChoice } from '../model/model-runtime.js'
import type { FeatureNormalization } from '../model/normalization.js'
import { FEATURE_COUNT, FEATURE_NAMES } from '../training/features.js'
import type { ModelMode } from '../training/modes.js'
import { assertChangeTarget, forecastLogMbps, normalizeRow } from '../training/normalization.js'
import { readBundledModel } from './bundled-model.js'

/** A loaded throughput model in the units the predictor works in: raw feature rows in, log Mbit/s out. */
export interface ForecastModel {
  /** The path class the file says it was trained for. */
  readonly mode: ModelMode
  /** Steps of history one forecast reads. */
  readonly historySteps: number
  /** The normalisation stored in the file. */
  readonly normalization: FeatureNormalization
  /** The file's bytes, so a retrained model can be persisted and passed back as `model`. */
  readonly bytes: Uint8Array
  /** Which runtime computes the forecasts. */
  readonly runtime: GruRuntime
  /** Why the TypeScript runtime serves although `auto` was asked for (onnxruntime absent or broken). */
  readonly runtimeReason: string | undefined
  /** Forecast of the next step's log throughput (Mbit/s) from the last `historySteps` raw feature rows. */
  forecastLogMbps(rows: readonly Float64Array[]): Promise<number>
  /** Releases the runtime's resources (an onnxruntime session) once runs in flight are done. */
  dispose(): Promise<void>
}

/**
 * Loads a model file and checks that it reads the features this package builds and predicts the change of log
 * throughput (`TARGET_NAME`). Throws
 * `InvalidArgumentError` (`DWCP_ERR_INVALID_ARGUMENT`, argument `model`) for bytes that are not a sound PBA
 * model (corrupt, truncated, modified, other features) and `ComponentAbsentError` for a shipped model that
 * cannot be read, or for `runtime: 'onnxruntime'` without `onnxruntime-node`. `runtime` is `loadGruModel`'s:
 * `auto` (the default) runs onnxruntime when installed and the TypeScript forward pass otherwise.
 */
export async function loadForecastModel(
  source: ModelMode | Uint8Array,
  runtime: GruRuntimeChoice = 'auto',
): Promise<ForecastModel> {
  const bytes = typeof source === 'string' ? await readBundledModel(source) : source
  const { model, runtimeReason } = await loadGruModel(bytes, { runtime })
  const names = model.normalization.names
  try {
    if (model.featureCount !== FEATURE_COUNT || names.some((name, f) => name !== FEATURE_NAMES[f]))
      throw new InvalidArgumentError(
        'model',
        `reads features [${names.join(', ')}], this package builds [${FEATURE_NAMES.join(', ')}]`,
      )
    assertChangeTarget(model.normalization)
  } catch (error) {
    await model.dispose()
    throw error
  }
  return wrap(model, bytes, runtimeReason)
}

function wrap(model: GruOnnxModel, bytes: Uint8Array, runtimeReason: string | undefined): ForecastModel {
  const { normalization } = model
  return {
    mode: model.metadata.mode,
    historySteps: model.historySteps,
    normalization,
    bytes,
    runtime: model.runtime,
    runtimeReason,
    async forecastLogMbps(rows) {
      const output = await model.predict(rows.map((row) => normalizeRow(row, normalization)))
      return forecastLogMbps(output, rows.at(-1)![0]!, normalization)
    },
    dispose: () => model.dispose(),
  }
}
