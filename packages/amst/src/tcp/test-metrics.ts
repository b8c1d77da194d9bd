import type { Counter, Gauge, Histogram, MetricLabels, Metrics } from '@dwcp/core'

/** A tiny in-memory Metrics for tests: counts `dwcp_errors_total` by code. */
export function prometheusLikeCounter(): Metrics & { count(code: string): number } {
  const errors = new Map<string, number>()
  const counter: Counter = {
    inc(labels?: MetricLabels, value = 1) {
      if (labels?.code) errors.set(labels.code, (errors.get(labels.code) ?? 0) + value)
    },
  }
  const gauge: Gauge = { set() {}, inc() {}, dec() {} }
  const histogram: Histogram = { observe() {} }
  return {
    counter: () => counter,
    gauge: () => gauge,
    histogram: () => histogram,
    count: (code) => errors.get(code) ?? 0,
  }
}
