import {
  InvalidArgumentError,
  METRIC_NAMES,
  type Prediction,
  type Predictor,
  type PredictorAccuracy,
  type PredictorComponents,
  type PredictorFactory,
} from '@dwcp/core'
import { AccuracyWindow } from '../accuracy-window.js'
import { windowSize } from '../validation.js'

/** Options of {@link ensemblePredictor}. */
export interface EnsemblePredictorInit {
  /** The predictors combined (e.g. the `datacenter` and `internet` models); at least one. */
  members: readonly PredictorFactory[]
  /** Name reported as `model`. @default 'hybrid' */
  name?: string
  /** Scored forecasts that `accuracy()` and `confidence` cover (1..100 000). @default 100 */
  accuracyWindow?: number
}

/** An ensemble {@link Predictor} that also exposes its members. */
export interface EnsemblePredictor extends Predictor {
  /** The members, in the order given. */
  readonly members: readonly Predictor[]
  /** Resolves once every member that computes asynchronously (an ONNX predictor) has settled. */
  settled(): Promise<void>
  /** Closes every member that can be closed (releases ONNX sessions). */
  close(): Promise<void>
}

/** The member fields averaged. */
const AVERAGED = ['bandwidthBps', 'rttMs', 'lossRate', 'jitterMs'] as const

/**
 * Combines forecasts for hybrid mode (DESIGN.md §1): every member sees every sample, and a forecast is the
 * average of the members' forecasts weighted by their confidence, so the member that has been right lately
 * speaks loudest. While no member has any confidence (nothing scored yet) the members weigh the same.
 * `validUntil` is the earliest of the members'. The ensemble scores its own forecasts like any predictor:
 * each forecast `predict()` returned is scored against the next sample.
 *
 * @example
 * ```ts
 * import { silentLogger, systemClock } from '@dwcp/core'
 * import { ensemblePredictor, onnxPredictor } from '@dwcp/pba'
 *
 * const hybrid = ensemblePredictor({
 *   members: [onnxPredictor({ model: 'datacenter' }), onnxPredictor({ model: 'internet' })],
 * })({ clock: systemClock(), logger: silentLogger() })
 * ```
 */
export function ensemblePredictor(
  init: EnsemblePredictorInit,
): (components: PredictorComponents) => EnsemblePredictor {
  if (!Array.isArray(init.members) || init.members.length === 0)
    throw new InvalidArgumentError('members', 'an ensemble needs at least one member')
  const accuracyWindow = windowSize('accuracyWindow', init.accuracyWindow ?? 100)
  const name = init.name ?? 'hybrid'

  return (components) => {
    const members = init.members.map((factory) => factory(components))
    const labels = { model: name }
    const accuracyGauge = components.metrics?.gauge(METRIC_NAMES.pbaPredictionAccuracy)
    const latency = components.metrics?.histogram(METRIC_NAMES.pbaPredictionLatency)
    const window = new AccuracyWindow(accuracyWindow)
    let outstandingBps: number | undefined

    return {
      model: name,
      members,
      observe(sample) {
        // Members check the sample; the first throws before anything is scored.
        for (const member of members) member.observe(sample)
        if (
          outstandingBps !== undefined &&
          outstandingBps > 0 &&
          window.record(outstandingBps, sample.bandwidthBps)
        )
          accuracyGauge?.set(window.confidence(), labels)
        outstandingBps = undefined
      },
      predict(): Prediction {
        const startMs = components.clock.now()
        const forecasts = members.map((member) => member.predict())
        const combined = combineForecasts(forecasts)
        outstandingBps = combined.bandwidthBps
        latency?.observe((components.clock.now() - startMs) / 1000, labels)
        return { ...combined, confidence: window.confidence(), model: name }
      },
      accuracy(): PredictorAccuracy {
        return window.snapshot()
      },
      async settled() {
        await Promise.all(
          members.map((member) => (member as Partial<EnsemblePredictor>).settled?.call(member)),
        )
      },
      async close() {
        await Promise.all(members.map((member) => (member as Partial<EnsemblePredictor>).close?.call(member)))
      },
    }
  }
}

/**
 * The confidence-weighted average of `forecasts`' path fields and the earliest `validUntil`. Weights are the
 * confidences (clamped to 0..1), or equal when they sum to 0.
 */
export function combineForecasts(
  forecasts: readonly Prediction[],
): Pick<Prediction, (typeof AVERAGED)[number] | 'validUntil'> {
  if (forecasts.length === 0) throw new InvalidArgumentError('forecasts', 'needs at least one forecast')
  const confidences = forecasts.map(({ confidence }) => Math.min(1, Math.max(0, confidence || 0)))
  const total = confidences.reduce((sum, c) => sum + c, 0)
  const weights = total > 0 ? confidences.map((c) => c / total) : forecasts.map(() => 1 / forecasts.length)
  const combined = {
    bandwidthBps: 0,
    rttMs: 0,
    lossRate: 0,
    jitterMs: 0,
    validUntil: Number.POSITIVE_INFINITY,
  }
  forecasts.forEach((forecast, i) => {
    for (const field of AVERAGED) combined[field] += weights[i]! * forecast[field]
    combined.validUntil = Math.min(combined.validUntil, forecast.validUntil)
  })
  return combined
}
