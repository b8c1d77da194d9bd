import {
  isDwcpError,
  type LogFields,
  type Logger,
  METRIC_DEFINITIONS,
  METRIC_NAMES,
  type MetricName,
} from '@dwcp/core'
import { register as globalRegistry, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { prometheusMetrics } from './prometheus-metrics.js'

/** Runs `fn` and returns what it threw, failing the test when it throws nothing. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

function expectInvalidArgument(fn: () => unknown, argument: string): void {
  const error = thrown(fn)
  expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
  expect((error as { data: { argument: string } }).data.argument).toBe(argument)
}

describe('prometheusMetrics', () => {
  it('registers every runbook metric with its HELP and TYPE lines', async () => {
    const text = await prometheusMetrics()().render()
    for (const definition of Object.values(METRIC_DEFINITIONS)) {
      expect(text).toContain(`# HELP ${definition.name} ${definition.help}\n`)
      expect(text).toContain(`# TYPE ${definition.name} ${definition.type}\n`)
    }
  })

  it('records counter increments with labels', async () => {
    const metrics = prometheusMetrics()()
    const sent = metrics.counter(METRIC_NAMES.amstBytesSent)
    sent.inc({ transport: 'tcp' }, 4096)
    sent.inc({ transport: 'tcp' }, 1024)
    sent.inc({ transport: 'rdma' })
    metrics.counter(METRIC_NAMES.errors).inc({ component: 'amst', code: 'DWCP_ERR_FRAME_CORRUPT' })
    metrics.counter(METRIC_NAMES.pbaInternetPredictions).inc()
    const text = await metrics.render()
    expect(text).toContain('dwcp_amst_bytes_sent_total{transport="tcp"} 5120\n')
    expect(text).toContain('dwcp_amst_bytes_sent_total{transport="rdma"} 1\n')
    expect(text).toContain('dwcp_errors_total{component="amst",code="DWCP_ERR_FRAME_CORRUPT"} 1\n')
    expect(text).toContain('dwcp_pba_internet_predictions_total 1\n')
    expect(text).toContain('dwcp_pba_datacenter_predictions_total 0\n')
  })

  it('records gauge set, inc and dec with labels', async () => {
    const metrics = prometheusMetrics()()
    const streams = metrics.gauge(METRIC_NAMES.amstActiveStreams)
    streams.set(8, { transport: 'tcp' })
    streams.inc({ transport: 'tcp' }, 4)
    streams.dec({ transport: 'tcp' })
    metrics.gauge(METRIC_NAMES.hdeCompressionRatio).set(3.5, { algorithm: 'zstd' })
    metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(0.25)
    metrics.gauge(METRIC_NAMES.pbaPredictionAccuracy).set(0.93, { model: 'internet' })
    const text = await metrics.render()
    expect(text).toContain('dwcp_amst_active_streams{transport="tcp"} 11\n')
    expect(text).toContain('dwcp_hde_compression_ratio{algorithm="zstd"} 3.5\n')
    expect(text).toContain('dwcp_hde_delta_hit_rate 0.25\n')
    expect(text).toContain('dwcp_pba_prediction_accuracy{model="internet"} 0.93\n')
  })

  it('records histogram observations into the declared buckets', async () => {
    const metrics = prometheusMetrics()()
    const latency = metrics.histogram(METRIC_NAMES.consensusLatency)
    latency.observe(0.003, { protocol: 'raft' })
    latency.observe(0.2, { protocol: 'raft' })
    metrics.histogram(METRIC_NAMES.pbaPredictionLatency).observe(0.00002, { model: 'datacenter' })
    const text = await metrics.render()
    expect(text).toContain('dwcp_consensus_latency_seconds_bucket{le="0.0025",protocol="raft"} 0\n')
    expect(text).toContain('dwcp_consensus_latency_seconds_bucket{le="0.005",protocol="raft"} 1\n')
    expect(text).toContain('dwcp_consensus_latency_seconds_bucket{le="0.25",protocol="raft"} 2\n')
    expect(text).toContain('dwcp_consensus_latency_seconds_bucket{le="30",protocol="raft"} 2\n')
    expect(text).toContain('dwcp_consensus_latency_seconds_bucket{le="+Inf",protocol="raft"} 2\n')
    expect(text).toContain('dwcp_consensus_latency_seconds_sum{protocol="raft"} 0.203\n')
    expect(text).toContain('dwcp_consensus_latency_seconds_count{protocol="raft"} 2\n')
    expect(text).toContain('dwcp_pba_prediction_latency_seconds_bucket{le="0.000025",model="datacenter"} 1\n')
  })

  it('returns the same object for repeated lookups', () => {
    const metrics = prometheusMetrics()()
    expect(metrics.counter(METRIC_NAMES.errors)).toBe(metrics.counter(METRIC_NAMES.errors))
  })

  it('keeps two instances apart and leaves the global registry alone', async () => {
    const a = prometheusMetrics()()
    const b = prometheusMetrics()()
    expect(a.registry).toBeInstanceOf(Registry)
    expect(a.registry).not.toBe(b.registry)
    expect(a.registry).not.toBe(globalRegistry)
    a.counter(METRIC_NAMES.placementAttempts).inc({ strategy: 'least-loaded' }, 3)
    expect(await a.render()).toContain('dwcp_placement_attempts_total{strategy="least-loaded"} 3\n')
    expect(await b.render()).not.toContain('dwcp_placement_attempts_total{')
    expect(globalRegistry.getSingleMetric(METRIC_NAMES.placementAttempts)).toBeUndefined()
  })

  it('adds default labels to every series', async () => {
    const metrics = prometheusMetrics({ defaultLabels: { node: 'node-a' } })()
    metrics.counter(METRIC_NAMES.placementSuccess).inc({ strategy: 'least-loaded' })
    const text = await metrics.render()
    expect(text).toContain('dwcp_placement_success_total{strategy="least-loaded",node="node-a"} 1\n')
    expect(text).toContain('dwcp_hde_delta_hit_rate{node="node-a"} 0\n')
  })

  it('rejects default labels that are invalid or clash with a declared label', () => {
    expectInvalidArgument(
      () => prometheusMetrics({ defaultLabels: { transport: 'x' } })(),
      'defaultLabels.transport',
    )
    expectInvalidArgument(
      () => prometheusMetrics({ defaultLabels: { 'node-id': 'x' } })(),
      'defaultLabels.node-id',
    )
    expectInvalidArgument(() => prometheusMetrics({ defaultLabels: { le: '1' } })(), 'defaultLabels.le')
    expectInvalidArgument(
      () => prometheusMetrics({ defaultLabels: { __name: 'x' } })(),
      'defaultLabels.__name',
    )
  })

  it('collects process metrics only when asked', async () => {
    expect(await prometheusMetrics()().render()).not.toContain('process_cpu_')
    const text = await prometheusMetrics({ collectDefaultMetrics: true })().render()
    expect(text).toContain('# TYPE process_cpu_seconds_total counter')
    expect(text).toContain('# TYPE nodejs_heap_size_total_bytes gauge')
  })

  it('serves the Prometheus text content type', () => {
    expect(prometheusMetrics()().contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
  })

  it('reports its creation to the logger', () => {
    const lines: LogFields[] = []
    const logger: Logger = {
      debug: (fields) => lines.push(fields),
      info: () => {},
      warn: () => {},
      error: () => {},
      child: () => logger,
    }
    prometheusMetrics({ defaultLabels: { node: 'n1' } })({ logger })
    expect(lines).toEqual([
      {
        metrics: Object.keys(METRIC_DEFINITIONS).length,
        defaultMetrics: false,
        defaultLabels: { node: 'n1' },
      },
    ])
  })

  it('rejects render when the signal has fired', async () => {
    const error = await prometheusMetrics()()
      .render({ signal: AbortSignal.abort() })
      .catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_ABORTED')).toBe(true)
  })
})

describe('prometheusMetrics argument errors', () => {
  const metrics = prometheusMetrics()()

  it('rejects a name outside the contract', () => {
    expectInvalidArgument(() => metrics.counter('dwcp_unknown_total' as MetricName), 'name')
    expectInvalidArgument(() => metrics.gauge('constructor' as MetricName), 'name')
  })

  it('rejects asking for a metric as another type', () => {
    expectInvalidArgument(() => metrics.counter(METRIC_NAMES.amstActiveStreams), 'name')
    expectInvalidArgument(() => metrics.gauge(METRIC_NAMES.consensusLatency), 'name')
    expectInvalidArgument(() => metrics.histogram(METRIC_NAMES.errors), 'name')
  })

  it('rejects a label the metric does not declare', () => {
    expectInvalidArgument(
      () => metrics.counter(METRIC_NAMES.amstBytesSent).inc({ peer: 'p1' }),
      'labels.peer',
    )
    expectInvalidArgument(
      () => metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(1, { algorithm: 'x' }),
      'labels.algorithm',
    )
    expectInvalidArgument(
      () => metrics.histogram(METRIC_NAMES.assSyncLatency).observe(1, { protocol: 'raft' }),
      'labels.protocol',
    )
  })

  it('accepts a subset of the declared labels, as prom-client does', async () => {
    metrics.counter(METRIC_NAMES.errors).inc({ component: 'hde' })
    expect(await metrics.render()).toContain('dwcp_errors_total{component="hde"} 1\n')
  })

  it('rejects non-string label values and non-finite or negative counter values', () => {
    const sent = metrics.counter(METRIC_NAMES.amstBytesSent)
    expectInvalidArgument(() => sent.inc({ transport: 7 as unknown as string }), 'labels.transport')
    expectInvalidArgument(() => sent.inc({ transport: 'tcp' }, -1), 'value')
    expectInvalidArgument(() => sent.inc({ transport: 'tcp' }, Number.NaN), 'value')
    expectInvalidArgument(
      () => metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(Number.POSITIVE_INFINITY),
      'value',
    )
    expectInvalidArgument(() => metrics.histogram(METRIC_NAMES.amstSendLatency).observe(Number.NaN), 'value')
  })

  it('lets a gauge go negative through dec', async () => {
    const local = prometheusMetrics()()
    local.gauge(METRIC_NAMES.amstActiveStreams).dec({ transport: 'tcp' }, 2)
    expect(await local.render()).toContain('dwcp_amst_active_streams{transport="tcp"} -2\n')
  })
})
