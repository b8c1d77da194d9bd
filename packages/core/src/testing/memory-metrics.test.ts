import { describe, expect, it } from 'vitest'
import { isDwcpError } from '../errors.js'
import { METRIC_NAMES, type MetricName } from '../metrics.js'
import { memoryMetrics } from './memory-metrics.js'

function expectInvalidArgument(fn: () => unknown, argument: string): void {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
  expect((error as { data: { argument: string } }).data.argument).toBe(argument)
}

describe('memoryMetrics recording', () => {
  it('sums counter increments per exact label set', () => {
    const metrics = memoryMetrics()
    const sent = metrics.counter(METRIC_NAMES.amstBytesSent)
    sent.inc({ transport: 'tcp' }, 4096)
    sent.inc({ transport: 'tcp' }, 1024)
    sent.inc({ transport: 'rdma' })
    sent.inc()
    expect(metrics.counterValue(METRIC_NAMES.amstBytesSent, { transport: 'tcp' })).toBe(5120)
    expect(metrics.counterValue(METRIC_NAMES.amstBytesSent, { transport: 'rdma' })).toBe(1)
    expect(metrics.counterValue(METRIC_NAMES.amstBytesSent)).toBe(1)
    expect(metrics.counterValue(METRIC_NAMES.amstBytesReceived, { transport: 'tcp' })).toBe(0)
  })

  it('treats label order as irrelevant and a missing label as another series', () => {
    const metrics = memoryMetrics()
    const errors = metrics.counter(METRIC_NAMES.errors)
    errors.inc({ component: 'amst', code: 'DWCP_ERR_FRAME_CORRUPT' })
    errors.inc({ code: 'DWCP_ERR_FRAME_CORRUPT', component: 'amst' })
    errors.inc({ component: 'amst' })
    expect(
      metrics.counterValue(METRIC_NAMES.errors, { code: 'DWCP_ERR_FRAME_CORRUPT', component: 'amst' }),
    ).toBe(2)
    expect(metrics.counterValue(METRIC_NAMES.errors, { component: 'amst' })).toBe(1)
    expect(metrics.series(METRIC_NAMES.errors).map((s) => s.labels)).toEqual([
      { component: 'amst', code: 'DWCP_ERR_FRAME_CORRUPT' },
      { component: 'amst' },
    ])
  })

  it('keeps gauge values through set, inc and dec, and undefined until touched', () => {
    const metrics = memoryMetrics()
    const streams = metrics.gauge(METRIC_NAMES.amstActiveStreams)
    expect(metrics.gaugeValue(METRIC_NAMES.amstActiveStreams, { transport: 'tcp' })).toBeUndefined()
    streams.set(8, { transport: 'tcp' })
    streams.inc({ transport: 'tcp' }, 4)
    streams.dec({ transport: 'tcp' })
    streams.dec({ transport: 'rdma' }, 2)
    expect(metrics.gaugeValue(METRIC_NAMES.amstActiveStreams, { transport: 'tcp' })).toBe(11)
    expect(metrics.gaugeValue(METRIC_NAMES.amstActiveStreams, { transport: 'rdma' })).toBe(-2)
    metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(0.25)
    expect(metrics.gaugeValue(METRIC_NAMES.hdeDeltaHitRate)).toBe(0.25)
    metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(0.25)
    expect(metrics.series(METRIC_NAMES.hdeDeltaHitRate)[0]).toMatchObject({ value: 0.25, updates: 2 })
  })

  it('keeps histogram observations, their count and their sum', () => {
    const metrics = memoryMetrics()
    const latency = metrics.histogram(METRIC_NAMES.consensusLatency)
    latency.observe(0.003, { protocol: 'raft' })
    latency.observe(0.2, { protocol: 'raft' })
    latency.observe(0.5, { protocol: 'pbft' })
    expect(metrics.histogramCount(METRIC_NAMES.consensusLatency, { protocol: 'raft' })).toBe(2)
    expect(metrics.histogramSum(METRIC_NAMES.consensusLatency, { protocol: 'raft' })).toBeCloseTo(0.203, 12)
    expect(metrics.histogramValues(METRIC_NAMES.consensusLatency, { protocol: 'raft' })).toEqual([0.003, 0.2])
    expect(metrics.histogramCount(METRIC_NAMES.consensusLatency)).toBe(0)
    expect(metrics.histogramValues(METRIC_NAMES.assSyncLatency)).toEqual([])
  })

  it('lists every series in the order first recorded, as copies', () => {
    const metrics = memoryMetrics()
    expect(metrics.series()).toEqual([])
    metrics.histogram(METRIC_NAMES.pbaPredictionLatency).observe(0.001, { model: 'ewma' })
    metrics.counter(METRIC_NAMES.pbaInternetPredictions).inc()
    const listed = metrics.series()
    expect(listed).toEqual([
      {
        name: METRIC_NAMES.pbaPredictionLatency,
        type: 'histogram',
        labels: { model: 'ewma' },
        value: 0.001,
        observations: [0.001],
        updates: 1,
      },
      {
        name: METRIC_NAMES.pbaInternetPredictions,
        type: 'counter',
        labels: {},
        value: 1,
        observations: [],
        updates: 1,
      },
    ])
    metrics.counter(METRIC_NAMES.pbaInternetPredictions).inc()
    expect(listed[1]!.value).toBe(1)
    expect(metrics.series(METRIC_NAMES.pbaInternetPredictions)[0]).toMatchObject({ value: 2, updates: 2 })
  })

  it('does not let a caller move a series by changing its labels object afterwards', () => {
    const metrics = memoryMetrics()
    const labels = { transport: 'tcp' }
    metrics.counter(METRIC_NAMES.amstBytesSent).inc(labels, 3)
    labels.transport = 'rdma'
    expect(metrics.counterValue(METRIC_NAMES.amstBytesSent, { transport: 'tcp' })).toBe(3)
  })

  it('returns the same object for repeated lookups, and keeps two registries apart', () => {
    const a = memoryMetrics()
    const b = memoryMetrics()
    expect(a.counter(METRIC_NAMES.errors)).toBe(a.counter(METRIC_NAMES.errors))
    a.counter(METRIC_NAMES.placementAttempts).inc({ strategy: 'least-loaded' }, 3)
    expect(b.counterValue(METRIC_NAMES.placementAttempts, { strategy: 'least-loaded' })).toBe(0)
  })
})

describe('memoryMetrics refuses what production refuses', () => {
  const metrics = memoryMetrics()

  it('rejects a name outside the contract', () => {
    expectInvalidArgument(() => metrics.counter('dwcp_unknown_total' as MetricName), 'name')
    expectInvalidArgument(() => metrics.gauge('constructor' as MetricName), 'name')
    expectInvalidArgument(() => metrics.histogram('__proto__' as MetricName), 'name')
  })

  it('rejects asking for a metric as another type', () => {
    expectInvalidArgument(() => metrics.counter(METRIC_NAMES.amstActiveStreams), 'name')
    expectInvalidArgument(() => metrics.gauge(METRIC_NAMES.consensusLatency), 'name')
    expectInvalidArgument(() => metrics.histogram(METRIC_NAMES.errors), 'name')
  })

  it('rejects a label the metric does not declare, and records nothing', () => {
    expectInvalidArgument(
      () => metrics.counter(METRIC_NAMES.pbaInternetPredictions).inc({ model: 'internet' }),
      'labels.model',
    )
    expectInvalidArgument(
      () => metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(1, { algorithm: 'x' }),
      'labels.algorithm',
    )
    expectInvalidArgument(
      () => metrics.histogram(METRIC_NAMES.assSyncLatency).observe(1, { protocol: 'raft' }),
      'labels.protocol',
    )
    expect(metrics.series()).toEqual([])
  })

  it('rejects non-object labels, non-string label values, and non-finite or negative counter values', () => {
    const sent = metrics.counter(METRIC_NAMES.amstBytesSent)
    expectInvalidArgument(() => sent.inc(['tcp'] as unknown as Record<string, string>), 'labels')
    expectInvalidArgument(() => sent.inc({ transport: 7 as unknown as string }), 'labels.transport')
    expectInvalidArgument(() => sent.inc({ transport: 'tcp' }, -1), 'value')
    expectInvalidArgument(() => sent.inc({ transport: 'tcp' }, Number.NaN), 'value')
    expectInvalidArgument(
      () => metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).set(Number.POSITIVE_INFINITY),
      'value',
    )
    expectInvalidArgument(
      () => metrics.gauge(METRIC_NAMES.hdeDeltaHitRate).dec(undefined, Number.NaN),
      'value',
    )
    expectInvalidArgument(() => metrics.histogram(METRIC_NAMES.amstSendLatency).observe(Number.NaN), 'value')
    expect(metrics.series()).toEqual([])
  })

  it('checks the labels before the value, as production does', () => {
    expectInvalidArgument(
      () => metrics.counter(METRIC_NAMES.amstBytesSent).inc({ peer: 'p' }, -1),
      'labels.peer',
    )
  })

  it('accepts a subset of the declared labels, as production does', () => {
    const local = memoryMetrics()
    local.counter(METRIC_NAMES.errors).inc({ component: 'hde' })
    expect(local.counterValue(METRIC_NAMES.errors, { component: 'hde' })).toBe(1)
  })

  it('checks the names and labels a test reads back', () => {
    expectInvalidArgument(() => metrics.counterValue(METRIC_NAMES.amstActiveStreams), 'name')
    expectInvalidArgument(() => metrics.gaugeValue(METRIC_NAMES.errors), 'name')
    expectInvalidArgument(() => metrics.histogramCount(METRIC_NAMES.errors), 'name')
    expectInvalidArgument(
      () => metrics.counterValue(METRIC_NAMES.amstBytesSent, { transprot: 'tcp' }),
      'labels.transprot',
    )
    expectInvalidArgument(() => metrics.series('dwcp_nope_total' as MetricName), 'name')
    expect(metrics.series(METRIC_NAMES.nodeMode)).toEqual([])
  })
})
