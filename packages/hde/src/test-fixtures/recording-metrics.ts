import type { Counter, Gauge, Histogram, MetricLabels, MetricName, Metrics } from '@dwcp/core'

/**
 * Metrics that remember counter sums and the last value set on each gauge, keyed `name{labels as JSON}`.
 * Gauge increments and histograms throw: the codecs never use them.
 */
export function recordingMetrics(): {
  metrics: Metrics
  counts: Map<string, number>
  gauges: Map<string, number>
} {
  const counts = new Map<string, number>()
  const gauges = new Map<string, number>()
  const key = (name: MetricName, labels?: MetricLabels) => `${name}${JSON.stringify(labels ?? {})}`
  const unused = (): never => {
    throw new Error('not used by the codecs')
  }
  const metrics: Metrics = {
    counter(name: MetricName): Counter {
      return {
        inc(labels?: MetricLabels, value = 1) {
          counts.set(key(name, labels), (counts.get(key(name, labels)) ?? 0) + value)
        },
      }
    },
    gauge(name: MetricName): Gauge {
      return {
        set(value: number, labels?: MetricLabels) {
          gauges.set(key(name, labels), value)
        },
        inc: unused,
        dec: unused,
      }
    },
    histogram: unused as (name: MetricName) => Histogram,
  }
  return { metrics, counts, gauges }
}
