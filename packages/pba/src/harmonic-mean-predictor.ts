import type { PredictorFactory } from '@dwcp/core'
import {
  type BaselinePredictorInit,
  createBaselinePredictor,
  type PathEstimator,
  resolveBaselineInit,
} from './baseline-predictor.js'
import { ewmaStep } from './ewma.js'
import { smoothingFactor, windowSize } from './validation.js'

/** Options of {@link harmonicMeanPredictor}. */
export interface HarmonicMeanPredictorInit extends BaselinePredictorInit {
  /** Number of most recent measured bandwidth samples averaged (1..100 000). @default 5 */
  window?: number
  /** EWMA weight of the newest sample for `rttMs`, `lossRate` and `jitterMs`, in (0, 1]. @default 0.3 */
  alpha?: number
}

/**
 * The throughput estimator of MPC (Yin et al., SIGCOMM 2015) and Pensieve's MPC baseline: the harmonic mean
 * of the last `window` measured bandwidth samples, `n / Σ(1 / xᵢ)`. A single spike barely moves it, a single
 * dip pulls it down: it errs on the cautious side. RTT, loss and jitter are not throughputs (a loss rate of 0
 * would zero a harmonic mean), so they are smoothed by EWMA with `alpha`. Model name `harmonic-mean`.
 *
 * @example
 * ```ts
 * import { silentLogger, systemClock } from '@dwcp/core'
 * import { harmonicMeanPredictor } from '@dwcp/pba'
 *
 * const predictor = harmonicMeanPredictor({ window: 5 })({ clock: systemClock(), logger: silentLogger() })
 * ```
 */
export function harmonicMeanPredictor(init: HarmonicMeanPredictorInit = {}): PredictorFactory {
  const resolved = resolveBaselineInit(init)
  const window = windowSize('window', init.window ?? 5)
  const alpha = smoothingFactor('alpha', init.alpha ?? 0.3)
  return (components) =>
    createBaselinePredictor('harmonic-mean', resolved, harmonicMeanEstimator(window, alpha), components)
}

function harmonicMeanEstimator(window: number, alpha: number): PathEstimator {
  const recentBps = new Float64Array(window)
  let count = 0
  let next = 0
  let rttMs: number | undefined
  let lossRate: number | undefined
  let jitterMs: number | undefined
  return {
    update(sample) {
      if (sample.bandwidthBps > 0) {
        recentBps[next] = sample.bandwidthBps
        next = (next + 1) % window
        count = Math.min(count + 1, window)
      }
      rttMs = ewmaStep(rttMs, sample.rttMs, alpha)
      lossRate = ewmaStep(lossRate, sample.lossRate, alpha)
      jitterMs = ewmaStep(jitterMs, sample.jitterMs, alpha)
    },
    forecast() {
      let reciprocalSum = 0
      for (let i = 0; i < count; i++) reciprocalSum += 1 / recentBps[i]!
      return {
        bandwidthBps: count === 0 ? 0 : count / reciprocalSum,
        rttMs: rttMs ?? 0,
        lossRate: lossRate ?? 0,
        jitterMs: jitterMs ?? 0,
      }
    },
  }
}
