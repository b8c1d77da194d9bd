import {
  type ManualClock,
  type Metrics,
  manualClock,
  type PathSample,
  type PredictorComponents,
  silentLogger,
} from '@dwcp/core'

/** A path sample with `mbps` of bandwidth and fixed, unremarkable other fields. */
export function sample(mbps: number, fields: Partial<PathSample> = {}): PathSample {
  return { at: 0, rttMs: 40, bandwidthBps: mbps * 1e6, lossRate: 0, jitterMs: 2, rdma: false, ...fields }
}

/**
 * Components over a manual clock, optionally with metrics: pass `memoryMetrics()` of `@dwcp/core/testing`,
 * which refuses what the production registry refuses, to check what a predictor records.
 */
export function components(metrics?: Metrics): PredictorComponents & { clock: ManualClock } {
  return { clock: manualClock(), logger: silentLogger(), ...(metrics ? { metrics } : {}) }
}
