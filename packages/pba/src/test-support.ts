import {
  type Counter,
  type Gauge,
  type Histogram,
  type ManualClock,
  type MetricLabels,
  type MetricName,
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

/** One recorded metric call. */
export interface MetricCall {
  name: MetricName
  kind: 'counter' | 'gauge' | 'histogram'
  value: number
  labels: MetricLabels | undefined
}

/** A {@link Metrics} that records every call, for assertions. */
export function recordingMetrics(): Metrics & { calls: MetricCall[] } {
  const calls: MetricCall[] = []
  const counter = (name: MetricName): Counter => ({
    inc: (labels, value = 1) => calls.push({ name, kind: 'counter', value, labels }),
  })
  const gauge = (name: MetricName): Gauge => ({
    set: (value, labels) => calls.push({ name, kind: 'gauge', value, labels }),
    inc: (labels, value = 1) => calls.push({ name, kind: 'gauge', value, labels }),
    dec: (labels, value = 1) => calls.push({ name, kind: 'gauge', value: -value, labels }),
  })
  const histogram = (name: MetricName): Histogram => ({
    observe: (value, labels) => calls.push({ name, kind: 'histogram', value, labels }),
  })
  return { calls, counter, gauge, histogram }
}

/** Components over a manual clock, optionally with metrics. */
export function components(metrics?: Metrics): PredictorComponents & { clock: ManualClock } {
  return { clock: manualClock(), logger: silentLogger(), ...(metrics ? { metrics } : {}) }
}
