import type { PredictorFactory } from '@dwcp/core'
import {
  type BaselinePredictorInit,
  createBaselinePredictor,
  type PathEstimator,
  resolveBaselineInit,
} from './baseline-predictor.js'
import { ewmaStep } from './ewma.js'
import { smoothingFactor } from './validation.js'

/** Options of {@link ewmaPredictor}. */
export interface EwmaPredictorInit extends BaselinePredictorInit {
  /** Weight of the newest sample, in (0, 1]; 1 is {@link lastValuePredictor}'s rule. @default 0.3 */
  alpha?: number
}

/**
 * Exponentially weighted moving average of every field: `s ← alpha · x + (1 − alpha) · s`, seeded by the
 * first sample. Bandwidth averages only measured (non-zero) samples. Model name `ewma`.
 *
 * @example
 * ```ts
 * import { silentLogger, systemClock } from '@dwcp/core'
 * import { ewmaPredictor } from '@dwcp/pba'
 *
 * const predictor = ewmaPredictor({ alpha: 0.5 })({ clock: systemClock(), logger: silentLogger() })
 * ```
 */
export function ewmaPredictor(init: EwmaPredictorInit = {}): PredictorFactory {
  const resolved = resolveBaselineInit(init)
  const alpha = smoothingFactor('alpha', init.alpha ?? 0.3)
  return (components) => createBaselinePredictor('ewma', resolved, ewmaEstimator(alpha), components)
}

function ewmaEstimator(alpha: number): PathEstimator {
  let bandwidthBps: number | undefined
  let rttMs: number | undefined
  let lossRate: number | undefined
  let jitterMs: number | undefined
  return {
    update(sample) {
      if (sample.bandwidthBps > 0) bandwidthBps = ewmaStep(bandwidthBps, sample.bandwidthBps, alpha)
      rttMs = ewmaStep(rttMs, sample.rttMs, alpha)
      lossRate = ewmaStep(lossRate, sample.lossRate, alpha)
      jitterMs = ewmaStep(jitterMs, sample.jitterMs, alpha)
    },
    forecast: () => ({
      bandwidthBps: bandwidthBps ?? 0,
      rttMs: rttMs ?? 0,
      lossRate: lossRate ?? 0,
      jitterMs: jitterMs ?? 0,
    }),
  }
}
