import type { LogFields, Logger } from '@dwcp/core'
import { type GruWeights, initGruWeights } from '../model/gru-model.js'
import type { FeatureNormalization } from '../model/normalization.js'
import { exportGruOnnx } from '../model/onnx-export.js'
import { FEATURE_COUNT } from '../training/features.js'
import type { ModelMode } from '../training/modes.js'
import { fitNormalization } from '../training/normalization.js'

/** A small untrained model file, with its weights and normalisation for computing expected forecasts. */
export interface TinyModel {
  bytes: Uint8Array
  weights: GruWeights
  normalization: FeatureNormalization
}

/**
 * A seeded, untrained GRU exported as a model file: enough to test the predictor's plumbing without the cost
 * of a trained 60-step model. The normalisation is fitted on rows around 1–10 Mbit/s with RTT and loss varying.
 */
export function tinyModel(
  options: { historySteps?: number; mode?: ModelMode; seed?: number } = {},
): TinyModel {
  const { historySteps = 3, mode = 'internet', seed = 7 } = options
  const weights = initGruWeights({ inputSize: FEATURE_COUNT, hiddenSize: 4, seed })
  const rows = Array.from({ length: 20 }, (_, i) =>
    Float64Array.of(
      Math.log(1 + (i % 10)),
      (i % 3) - 1,
      Math.log1p(40 + i),
      (i % 5) / 100,
      Math.log1p(2),
      0,
      0,
    ),
  )
  const normalization = fitNormalization(
    rows,
    rows.map((_, i) => ((i % 5) - 2) / 10),
  )
  const bytes = exportGruOnnx(weights, {
    normalization,
    metadata: {
      mode,
      historySteps,
      seed,
      trainedOn: 'nothing (test model)',
      createdAt: '2026-01-01T00:00:00Z',
    },
  })
  return { bytes, weights, normalization }
}

/** One recorded log line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  fields: LogFields
  message: string | undefined
}

/** A {@link Logger} that records every line (children share the record), for assertions. */
export function recordingLogger(
  lines: LogLine[] = [],
  bindings: LogFields = {},
): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (fields: LogFields, message?: string): void => {
      lines.push({ level, fields: { ...bindings, ...fields }, message })
    }
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  }
}
