import type { PathSample } from './mode.js'

/** A forecast of the path for the next interval. */
export interface Prediction {
  /** Predicted throughput in bits per second. */
  bandwidthBps: number
  /** Predicted round-trip time in milliseconds. */
  rttMs: number
  /** Predicted loss rate, 0..1. */
  lossRate: number
  /** Predicted jitter in milliseconds. */
  jitterMs: number
  /** How much to trust this forecast, 0..1 (from the model's recent error). */
  confidence: number
  /** Clock time (ms) after which the forecast is stale. */
  validUntil: number
  /** Model that produced it (e.g. `harmonic-mean`, `internet`). */
  model: string
}

/** How well a predictor has done against what was later observed. */
export interface PredictorAccuracy {
  /** Number of forecasts scored. */
  samples: number
  /** Mean absolute percentage error of bandwidth forecasts (0.1 = 10 %). */
  meanAbsolutePercentageError: number
  /** `max(0, 1 - MAPE)`: the runbook's accuracy figure. */
  accuracy: number
}

/** Forecasts path conditions from observed samples. */
export interface Predictor {
  /** Name of the model in use. */
  readonly model: string
  /** Feeds one observation; also scores the previous forecast against it. */
  observe(sample: PathSample): void
  /** Forecasts the next interval; throws `DWCP_ERR_INVALID_ARGUMENT` if nothing was observed yet. */
  predict(): Prediction
  /** The predictor's own error so far. */
  accuracy(): PredictorAccuracy
}

/** Components a predictor factory receives. */
export interface PredictorComponents {
  clock: import('./clock.js').Clock
  logger: import('./logger.js').Logger
  metrics?: import('./metrics.js').Metrics
}

/** A predictor factory in the two-step style. */
export type PredictorFactory = (components: PredictorComponents) => Predictor
