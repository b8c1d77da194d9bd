import {
  InvalidArgumentError,
  METRIC_NAMES,
  type PathSample,
  type Prediction,
  type Predictor,
  type PredictorAccuracy,
  type PredictorComponents,
} from '@dwcp/core'
import { AccuracyWindow } from './accuracy-window.js'
import { assertValidSample, positiveDuration, windowSize } from './validation.js'

/** Options every baseline predictor takes. */
export interface BaselinePredictorInit {
  /** How long a forecast stays valid after `predict()`, in milliseconds. @default 1000 */
  horizonMs?: number
  /** Number of most recent scored forecasts that `accuracy()` and `confidence` cover (1..100 000). @default 100 */
  accuracyWindow?: number
}

/** {@link BaselinePredictorInit} with defaults applied and values checked. */
export interface ResolvedBaselineInit {
  /** See {@link BaselinePredictorInit.horizonMs}. */
  horizonMs: number
  /** See {@link BaselinePredictorInit.accuracyWindow}. */
  accuracyWindow: number
}

/** The path fields of a forecast, as one forecasting rule computes them. */
export type PathForecast = Pick<Prediction, 'bandwidthBps' | 'rttMs' | 'lossRate' | 'jitterMs'>

/**
 * One forecasting rule: what it keeps of past samples and what it forecasts from them. A sample's
 * `bandwidthBps` of 0 means "nothing measured" ({@link PathSample}); a rule keeps its bandwidth state then and
 * forecasts a bandwidth of 0 until it has seen a measured one.
 */
export interface PathEstimator {
  /** Takes one checked sample. */
  update(sample: PathSample): void
  /** Forecasts from what was taken so far; called only after at least one `update`. */
  forecast(): PathForecast
}

/** Applies defaults to `init` and checks it; throws {@link InvalidArgumentError} on a bad value. */
export function resolveBaselineInit(init: BaselinePredictorInit): ResolvedBaselineInit {
  return {
    horizonMs: positiveDuration('horizonMs', init.horizonMs ?? 1000),
    accuracyWindow: windowSize('accuracyWindow', init.accuracyWindow ?? 100),
  }
}

/**
 * Wraps a {@link PathEstimator} into a {@link Predictor}: checks samples, scores the outstanding forecast on
 * each observation, derives confidence from the recent error, stamps `validUntil` and records metrics.
 */
export function createBaselinePredictor(
  model: string,
  init: ResolvedBaselineInit,
  estimator: PathEstimator,
  components: PredictorComponents,
): Predictor {
  const { clock, metrics } = components
  const labels = { model }
  const latency = metrics?.histogram(METRIC_NAMES.pbaPredictionLatency)
  const accuracyGauge = metrics?.gauge(METRIC_NAMES.pbaPredictionAccuracy)
  const window = new AccuracyWindow(init.accuracyWindow)
  let observed = false

  return {
    model,
    observe(sample) {
      assertValidSample(sample)
      if (observed) {
        // The outstanding forecast: predict() is a pure function of the estimator's state, so the forecast
        // implied by the state before this sample is exactly what the last predict() returned.
        const outstandingBps = estimator.forecast().bandwidthBps
        if (outstandingBps > 0 && window.record(outstandingBps, sample.bandwidthBps))
          accuracyGauge?.set(window.confidence(), labels)
      }
      estimator.update(sample)
      observed = true
    },
    predict(): Prediction {
      if (!observed)
        throw new InvalidArgumentError('observations', 'predict() needs at least one observed sample')
      const startMs = clock.now()
      const forecast = estimator.forecast()
      const prediction: Prediction = {
        ...forecast,
        confidence: window.confidence(),
        validUntil: clock.now() + init.horizonMs,
        model,
      }
      latency?.observe((clock.now() - startMs) / 1000, labels)
      return prediction
    },
    accuracy(): PredictorAccuracy {
      return window.snapshot()
    },
  }
}
