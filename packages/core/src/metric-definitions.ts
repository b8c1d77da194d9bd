import { METRIC_NAMES, type MetricName } from './metrics.js'

/** The Prometheus type of a runbook metric. */
export type MetricType = 'counter' | 'gauge' | 'histogram'

/** How one runbook metric is registered: its type, help text, label names and (histograms) buckets. */
export interface MetricDefinition {
  /** The runbook name (DESIGN.md §7); never renamed. */
  readonly name: MetricName
  /** Which of {@link MetricType} it is; asking for it as another type is an error. */
  readonly type: MetricType
  /** The `# HELP` text. */
  readonly help: string
  /** The only label names a caller may set. Low cardinality only: never peer ids or transfer ids. */
  readonly labelNames: readonly string[]
  /** Upper bounds of the histogram buckets, ascending (histograms only). */
  readonly buckets?: readonly number[]
}

/**
 * Buckets for send, sync and consensus latency in seconds: 50 µs (an RDMA round trip) to 30 s (the CRDT
 * convergence bound), in 1-2.5-5 steps, so datacenter and internet latencies both get resolution.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  30,
])

/** Buckets for one bandwidth prediction in seconds: 10 µs (a baseline lookup) to 100 ms (a slow model run). */
export const PREDICTION_LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
])

const define = (definition: MetricDefinition): MetricDefinition =>
  Object.freeze({ ...definition, labelNames: Object.freeze([...definition.labelNames]) })

/** Every runbook metric, keyed by name. The compiler checks that each name of `METRIC_NAMES` has an entry. */
export const METRIC_DEFINITIONS: Readonly<Record<MetricName, MetricDefinition>> = Object.freeze({
  [METRIC_NAMES.amstBytesSent]: define({
    name: METRIC_NAMES.amstBytesSent,
    type: 'counter',
    help: 'Bytes sent by AMST transports (payload and framing), by transport.',
    labelNames: ['transport'],
  }),
  [METRIC_NAMES.amstBytesReceived]: define({
    name: METRIC_NAMES.amstBytesReceived,
    type: 'counter',
    help: 'Bytes received by AMST transports (payload and framing), by transport.',
    labelNames: ['transport'],
  }),
  [METRIC_NAMES.amstActiveStreams]: define({
    name: METRIC_NAMES.amstActiveStreams,
    type: 'gauge',
    help: 'Open AMST streams (TCP connections or UCX endpoints) across all sessions, by transport.',
    labelNames: ['transport'],
  }),
  [METRIC_NAMES.amstModeTransitions]: define({
    name: METRIC_NAMES.amstModeTransitions,
    type: 'counter',
    help: 'Mode transitions decided by the mode detector, by previous and next mode.',
    labelNames: ['from', 'to'],
  }),
  [METRIC_NAMES.amstSendLatency]: define({
    name: METRIC_NAMES.amstSendLatency,
    type: 'histogram',
    help: 'Seconds from handing a message or chunk to an AMST session until it is sent, by transport.',
    labelNames: ['transport'],
    buckets: LATENCY_BUCKETS_SECONDS,
  }),
  [METRIC_NAMES.hdeCompressionRatio]: define({
    name: METRIC_NAMES.hdeCompressionRatio,
    type: 'gauge',
    help: 'Latest HDE compression ratio (original bytes / compressed bytes), by algorithm.',
    labelNames: ['algorithm'],
  }),
  [METRIC_NAMES.hdeBytesOriginal]: define({
    name: METRIC_NAMES.hdeBytesOriginal,
    type: 'counter',
    help: 'Bytes given to HDE encoders before compression, by algorithm.',
    labelNames: ['algorithm'],
  }),
  [METRIC_NAMES.hdeBytesCompressed]: define({
    name: METRIC_NAMES.hdeBytesCompressed,
    type: 'counter',
    help: 'Bytes produced by HDE encoders after compression, by algorithm.',
    labelNames: ['algorithm'],
  }),
  [METRIC_NAMES.hdeDeltaHitRate]: define({
    name: METRIC_NAMES.hdeDeltaHitRate,
    type: 'gauge',
    help: 'Fraction (0..1) of HDE chunks encoded as a delta against a baseline the receiver already has.',
    labelNames: [],
  }),
  [METRIC_NAMES.hdeMlAlgorithmUsage]: define({
    name: METRIC_NAMES.hdeMlAlgorithmUsage,
    type: 'counter',
    help: 'Chunks for which the adaptive selector chose each compression algorithm.',
    labelNames: ['algorithm'],
  }),
  [METRIC_NAMES.pbaPredictionLatency]: define({
    name: METRIC_NAMES.pbaPredictionLatency,
    type: 'histogram',
    help: 'Seconds taken by one PBA bandwidth prediction, by model.',
    labelNames: ['model'],
    buckets: PREDICTION_LATENCY_BUCKETS_SECONDS,
  }),
  [METRIC_NAMES.pbaPredictionAccuracy]: define({
    name: METRIC_NAMES.pbaPredictionAccuracy,
    type: 'gauge',
    help: 'Recent PBA prediction accuracy (0..1, 1 = predicted bandwidth matched what was observed), by model.',
    labelNames: ['model'],
  }),
  [METRIC_NAMES.pbaDatacenterPredictions]: define({
    name: METRIC_NAMES.pbaDatacenterPredictions,
    type: 'counter',
    help: 'Predictions made by the datacenter PBA model.',
    labelNames: [],
  }),
  [METRIC_NAMES.pbaInternetPredictions]: define({
    name: METRIC_NAMES.pbaInternetPredictions,
    type: 'counter',
    help: 'Predictions made by the internet PBA model.',
    labelNames: [],
  }),
  [METRIC_NAMES.errors]: define({
    name: METRIC_NAMES.errors,
    type: 'counter',
    help: 'Errors handled by DWCP components, by component and stable error code (DWCP_ERR_*).',
    labelNames: ['component', 'code'],
  }),
  [METRIC_NAMES.assSyncLatency]: define({
    name: METRIC_NAMES.assSyncLatency,
    type: 'histogram',
    help: 'Seconds from a local state change until it is replicated (Raft commit or CRDT convergence), by mechanism.',
    labelNames: ['mechanism'],
    buckets: LATENCY_BUCKETS_SECONDS,
  }),
  [METRIC_NAMES.consensusLatency]: define({
    name: METRIC_NAMES.consensusLatency,
    type: 'histogram',
    help: 'Seconds from proposing a command until it is committed and applied, by protocol.',
    labelNames: ['protocol'],
    buckets: LATENCY_BUCKETS_SECONDS,
  }),
  [METRIC_NAMES.placementAttempts]: define({
    name: METRIC_NAMES.placementAttempts,
    type: 'counter',
    help: 'Workload placements attempted, by placement strategy.',
    labelNames: ['strategy'],
  }),
  [METRIC_NAMES.placementSuccess]: define({
    name: METRIC_NAMES.placementSuccess,
    type: 'counter',
    help: 'Workload placements that succeeded, by placement strategy.',
    labelNames: ['strategy'],
  }),
  [METRIC_NAMES.nodeMode]: define({
    name: METRIC_NAMES.nodeMode,
    type: 'gauge',
    help: 'The node mode: 1 for the current mode, 0 for the others.',
    labelNames: ['mode'],
  }),
})

/** The definition of `name`, or `undefined` when it is not a runbook metric name. */
export function findMetricDefinition(name: string): MetricDefinition | undefined {
  return Object.hasOwn(METRIC_DEFINITIONS, name) ? METRIC_DEFINITIONS[name as MetricName] : undefined
}
