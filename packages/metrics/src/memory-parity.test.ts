import * as core from '@dwcp/core'
import { isDwcpError, METRIC_NAMES, type MetricName, type Metrics } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import * as api from './index.js'
import { prometheusMetrics } from './prometheus-metrics.js'

/** One call on a `Metrics`, as data, so the same call can be made on both registries. */
type Call = (metrics: Metrics) => void

/** `ok`, or the argument an `InvalidArgumentError` named, or `other: <message>` for anything else. */
function outcome(call: Call, metrics: Metrics): string {
  try {
    call(metrics)
    return 'ok'
  } catch (error) {
    if (isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')) return (error.data as { argument: string }).argument
    return `other: ${String(error)}`
  }
}

const N = METRIC_NAMES
const CALLS: readonly [string, Call][] = [
  ['counter with its label', (m) => m.counter(N.amstBytesSent).inc({ transport: 'tcp' }, 10)],
  ['counter without labels', (m) => m.counter(N.pbaInternetPredictions).inc()],
  ['counter with an undeclared label', (m) => m.counter(N.pbaInternetPredictions).inc({ model: 'x' })],
  ['counter leaving out a declared label', (m) => m.counter(N.errors).inc({ component: 'hde' })],
  ['counter with both labels', (m) => m.counter(N.errors).inc({ code: 'DWCP_ERR_X', component: 'hde' }, 2)],
  ['counter decreasing', (m) => m.counter(N.errors).inc({ component: 'hde' }, -1)],
  ['counter by NaN', (m) => m.counter(N.errors).inc({ component: 'hde' }, Number.NaN)],
  ['counter with a number label', (m) => m.counter(N.errors).inc({ code: 1 as unknown as string })],
  ['counter with array labels', (m) => m.counter(N.errors).inc([] as unknown as Record<string, string>)],
  ['bad label and bad value', (m) => m.counter(N.errors).inc({ peer: 'p' }, -1)],
  ['gauge set', (m) => m.gauge(N.hdeCompressionRatio).set(3.5, { algorithm: 'zstd' })],
  ['gauge inc', (m) => m.gauge(N.amstActiveStreams).inc({ transport: 'tcp' }, 4)],
  ['gauge dec below zero', (m) => m.gauge(N.amstActiveStreams).dec({ transport: 'rdma' }, 2)],
  ['gauge set to infinity', (m) => m.gauge(N.hdeDeltaHitRate).set(Number.POSITIVE_INFINITY)],
  ['gauge with an undeclared label', (m) => m.gauge(N.hdeDeltaHitRate).set(1, { algorithm: 'x' })],
  ['histogram observe', (m) => m.histogram(N.consensusLatency).observe(0.003, { protocol: 'raft' })],
  ['histogram observe again', (m) => m.histogram(N.consensusLatency).observe(0.2, { protocol: 'raft' })],
  ['histogram with the wrong label', (m) => m.histogram(N.assSyncLatency).observe(1, { protocol: 'raft' })],
  ['histogram of NaN', (m) => m.histogram(N.amstSendLatency).observe(Number.NaN)],
  ['unknown name', (m) => m.counter('dwcp_unknown_total' as MetricName)],
  ['prototype name', (m) => m.gauge('constructor' as MetricName)],
  ['gauge asked for as a counter', (m) => m.counter(N.amstActiveStreams)],
  ['counter asked for as a histogram', (m) => m.histogram(N.errors)],
  ['histogram asked for as a gauge', (m) => m.gauge(N.consensusLatency)],
]

describe('memoryMetrics of @dwcp/core/testing against this registry', () => {
  it('accepts and refuses exactly the same calls, naming the same argument', () => {
    const production = prometheusMetrics()()
    const memory = memoryMetrics()
    const outcomes = CALLS.map(([what, call]) => [what, outcome(call, production), outcome(call, memory)])
    for (const [what, fromProduction, fromMemory] of outcomes) expect(fromMemory, what).toBe(fromProduction)
    expect(outcomes.filter(([, result]) => result === 'ok').length).toBeGreaterThan(5)
    expect(outcomes.filter(([, result]) => result !== 'ok').length).toBeGreaterThan(5)
  })

  it('records the same series with the same values', async () => {
    const production = prometheusMetrics()()
    const memory = memoryMetrics()
    for (const [, call] of CALLS) {
      outcome(call, production)
      outcome(call, memory)
    }
    const fromProduction: string[] = []
    for (const metric of await production.registry.getMetricsAsJSON()) {
      for (const value of metric.values) {
        const name = (value as { metricName?: string }).metricName ?? metric.name
        // A histogram is compared through its sum and count; its buckets are production's business.
        if (name.endsWith('_bucket')) continue
        fromProduction.push(
          `${name}${JSON.stringify(sorted(value.labels as Record<string, string>))} ${value.value}`,
        )
      }
    }
    const fromMemory = memory
      .series()
      .flatMap((series) =>
        series.type === 'histogram'
          ? [
              `${series.name}_sum${JSON.stringify(sorted(series.labels))} ${series.value}`,
              `${series.name}_count${JSON.stringify(sorted(series.labels))} ${series.observations.length}`,
            ]
          : [`${series.name}${JSON.stringify(sorted(series.labels))} ${series.value}`],
      )
    // Production also holds a 0 for every unlabelled series never touched; memory holds only what was recorded.
    const touched = fromProduction.filter((line) => !/^[^{]+\{\} 0$/.test(line))
    expect(fromMemory.sort()).toEqual(touched.sort())
  })
})

describe('the definitions this package re-exports', () => {
  it('are the very objects core exports', () => {
    expect(api.METRIC_DEFINITIONS).toBe(core.METRIC_DEFINITIONS)
    expect(api.findMetricDefinition).toBe(core.findMetricDefinition)
    expect(api.LATENCY_BUCKETS_SECONDS).toBe(core.LATENCY_BUCKETS_SECONDS)
    expect(api.PREDICTION_LATENCY_BUCKETS_SECONDS).toBe(core.PREDICTION_LATENCY_BUCKETS_SECONDS)
  })
})

function sorted(labels: Record<string, string | number>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))
}
