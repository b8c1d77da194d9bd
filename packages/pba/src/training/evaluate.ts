import type { FeatureSeries, SeriesWindow } from './dataset.js'
import { bandwidthBpsFromLog } from './features.js'

/** Mean absolute percentage error and `max(0, 1 − MAPE)` of a set of forecasts. */
export interface ForecastScore {
  /** Forecasts scored. */
  samples: number
  /** Mean of `|forecast − observed| / observed`. */
  meanAbsolutePercentageError: number
  /** `max(0, 1 − MAPE)`, the runbook's accuracy figure. */
  accuracy: number
}

/**
 * Throughput (Mbit/s, before any evaluation scale) below which a trace second counts as a stall. A few FCC
 * seconds fall to 0.0002–0.05 Mbit/s inside traces that otherwise run at about 1 Mbit/s; any forecast of the
 * usual rate is off there by hundreds to thousands of percent, and a handful of such seconds outweigh all
 * others in a pooled MAPE, for every predictor alike. Scores are therefore reported with and without them.
 */
export const STALL_MBPS = 0.05

/**
 * Accumulates absolute percentage errors. Observations of 0 are skipped (their error is undefined), and so
 * are observations below `observedMinBps` when it is given (see {@link STALL_MBPS}).
 */
export class ForecastScorer {
  readonly #observedMinBps: number
  #sum = 0
  #count = 0

  /** @param observedMinBps - observations below this are not scored. @default 0 */
  constructor(observedMinBps = 0) {
    this.#observedMinBps = observedMinBps
  }

  /** Scores one forecast against what was observed. */
  add(forecastBps: number, observedBps: number): void {
    if (!(observedBps > 0) || observedBps < this.#observedMinBps) return
    this.#sum += Math.abs(forecastBps - observedBps) / observedBps
    this.#count++
  }

  /** The score so far; the MAPE is `NaN` before anything was scored. */
  score(): ForecastScore {
    const meanAbsolutePercentageError = this.#count === 0 ? Number.NaN : this.#sum / this.#count
    return {
      samples: this.#count,
      meanAbsolutePercentageError,
      accuracy: this.#count === 0 ? 0 : Math.max(0, 1 - meanAbsolutePercentageError),
    }
  }
}

/** The two simplest baselines' forecasts at the end of a window, from measured steps only. */
export interface WindowBaselines {
  /** Last measured throughput, bit/s. */
  lastValueBps: number
  /** Harmonic mean of the last `harmonicWindow` measured throughputs, bit/s (MPC's estimator). */
  harmonicMeanBps: number
}

/**
 * What the last-value and harmonic-mean baselines forecast after step `end` of `series`: the same rules as
 * `lastValuePredictor` and `harmonicMeanPredictor`, read off the series so a validation can put them beside
 * a model on exactly the same windows.
 */
export function windowBaselines(
  series: FeatureSeries,
  { end }: Pick<SeriesWindow, 'end'>,
  harmonicWindow = 5,
): WindowBaselines {
  let lastValueBps = 0
  let reciprocalSum = 0
  let count = 0
  for (let t = end; t >= 0 && count < harmonicWindow; t--) {
    if (!series.measured[t]) continue
    const bps = bandwidthBpsFromLog(series.rows[t]![0]!)
    if (count === 0) lastValueBps = bps
    reciprocalSum += 1 / bps
    count++
  }
  return { lastValueBps, harmonicMeanBps: count === 0 ? 0 : count / reciprocalSum }
}
