import type { PredictorFactory } from '@dwcp/core'
import {
  type BaselinePredictorInit,
  createBaselinePredictor,
  type PathEstimator,
  type PathForecast,
  resolveBaselineInit,
} from './baseline-predictor.js'

/** Options of {@link lastValuePredictor}. */
export type LastValuePredictorInit = BaselinePredictorInit

/**
 * The simplest baseline: tomorrow looks like today. Forecasts every field as its last observed value; the
 * bandwidth is the last measured (non-zero) one. Model name `last-value`.
 *
 * @example
 * ```ts
 * import { silentLogger, systemClock } from '@dwcp/core'
 * import { lastValuePredictor } from '@dwcp/pba'
 *
 * const predictor = lastValuePredictor()({ clock: systemClock(), logger: silentLogger() })
 * ```
 */
export function lastValuePredictor(init: LastValuePredictorInit = {}): PredictorFactory {
  const resolved = resolveBaselineInit(init)
  return (components) => createBaselinePredictor('last-value', resolved, lastValueEstimator(), components)
}

function lastValueEstimator(): PathEstimator {
  const last: PathForecast = { bandwidthBps: 0, rttMs: 0, lossRate: 0, jitterMs: 0 }
  return {
    update(sample) {
      if (sample.bandwidthBps > 0) last.bandwidthBps = sample.bandwidthBps
      last.rttMs = sample.rttMs
      last.lossRate = sample.lossRate
      last.jitterMs = sample.jitterMs
    },
    forecast: () => ({ ...last }),
  }
}
