/**
 * @packageDocumentation
 * DWCP's metrics: core's `Metrics` over a prom-client registry of its own, with every runbook metric
 * (DESIGN.md §7) registered up front under its fixed name, type, labels and buckets, and rendered in the
 * Prometheus text format for `GET /metrics`. The definitions and the checks of each call are core's
 * (`METRIC_DEFINITIONS`, `requireMetricDefinition`, `checkMetricLabels`, `checkMetricValue`): unknown names,
 * type mismatches and undeclared labels throw `InvalidArgumentError` (`DWCP_ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * import { METRIC_NAMES } from '@dwcp/core'
 * import { prometheusMetrics, recordNodeMode } from '@dwcp/metrics'
 *
 * const metrics = prometheusMetrics({ defaultLabels: { node: 'node-a' } })()
 * metrics.counter(METRIC_NAMES.amstBytesSent).inc({ transport: 'tcp' }, 65536)
 * metrics.histogram(METRIC_NAMES.consensusLatency).observe(0.0042, { protocol: 'raft' })
 * recordNodeMode(metrics, 'datacenter')
 * const body = await metrics.render() // serve with `Content-Type: ${metrics.contentType}`
 * ```
 */
// The definitions live in core, so every package's tests can validate against them; re-exported here because
// this package's API has always offered them.
export {
  findMetricDefinition,
  LATENCY_BUCKETS_SECONDS,
  METRIC_DEFINITIONS,
  type MetricDefinition,
  type MetricType,
  PREDICTION_LATENCY_BUCKETS_SECONDS,
} from '@dwcp/core'
export {
  createObservabilityHandler,
  type ObservabilityHandler,
  type ObservabilityHandlerOptions,
  type ObservabilityHealthReport,
  type ObservabilityMetrics,
} from './http/observability-handler.js'
export { recordNodeMode } from './node-mode.js'
export {
  type PrometheusMetrics,
  type PrometheusMetricsComponents,
  type PrometheusMetricsInit,
  prometheusMetrics,
} from './prometheus-metrics.js'
