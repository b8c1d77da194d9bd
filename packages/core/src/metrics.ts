/**
 * The metric names of the operations runbook. They are a contract with dashboards and alert rules: never rename
 * one. See DESIGN.md §7; each one's type, labels and buckets are in `METRIC_DEFINITIONS`.
 */
export const METRIC_NAMES = {
  amstBytesSent: 'dwcp_amst_bytes_sent_total',
  amstBytesReceived: 'dwcp_amst_bytes_received_total',
  amstActiveStreams: 'dwcp_amst_active_streams',
  amstModeTransitions: 'dwcp_amst_mode_transitions_total',
  amstSendLatency: 'dwcp_amst_send_latency_seconds',
  hdeCompressionRatio: 'dwcp_hde_compression_ratio',
  hdeBytesOriginal: 'dwcp_hde_bytes_original_total',
  hdeBytesCompressed: 'dwcp_hde_bytes_compressed_total',
  hdeDeltaHitRate: 'dwcp_hde_delta_hit_rate',
  hdeMlAlgorithmUsage: 'dwcp_hde_ml_algorithm_usage',
  pbaPredictionLatency: 'dwcp_pba_prediction_latency_seconds',
  pbaPredictionAccuracy: 'dwcp_pba_prediction_accuracy',
  pbaDatacenterPredictions: 'dwcp_pba_datacenter_predictions_total',
  pbaInternetPredictions: 'dwcp_pba_internet_predictions_total',
  errors: 'dwcp_errors_total',
  assSyncLatency: 'dwcp_ass_sync_latency_seconds',
  consensusLatency: 'dwcp_consensus_latency_seconds',
  placementAttempts: 'dwcp_placement_attempts_total',
  placementSuccess: 'dwcp_placement_success_total',
  nodeMode: 'dwcp_node_mode',
} as const

/** One of the runbook's metric names. */
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES]

/** Label values of one time series. */
export type MetricLabels = Record<string, string>

/** A monotonically increasing count. */
export interface Counter {
  /** Adds `value` (default 1). */
  inc(labels?: MetricLabels, value?: number): void
}

/** A value that goes up and down. */
export interface Gauge {
  /** Sets the value. */
  set(value: number, labels?: MetricLabels): void
  /** Adds `value` (default 1). */
  inc(labels?: MetricLabels, value?: number): void
  /** Subtracts `value` (default 1). */
  dec(labels?: MetricLabels, value?: number): void
}

/** A distribution of observations (latencies in seconds, ratios). */
export interface Histogram {
  /** Records one observation. */
  observe(value: number, labels?: MetricLabels): void
}

/**
 * Where components record their metrics. Implemented by `@dwcp/metrics` over prom-client, and in memory for
 * tests by `memoryMetrics()` of `@dwcp/core/testing`; both check every call against `METRIC_DEFINITIONS`. A
 * component takes it as an optional component (`metrics?`) and records nothing when it is absent.
 */
export interface Metrics {
  /** The counter with this runbook name. */
  counter(name: MetricName): Counter
  /** The gauge with this runbook name. */
  gauge(name: MetricName): Gauge
  /** The histogram with this runbook name. */
  histogram(name: MetricName): Histogram
}
