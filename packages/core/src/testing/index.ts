/**
 * @packageDocumentation
 * Test support of `@dwcp/core`, kept out of the main entry so that production code never imports it by
 * accident: `memoryMetrics()`, a `Metrics` that validates every call exactly as the production registry does
 * and lets a test read back counter sums, gauge values and histogram observations.
 *
 * @example
 * ```ts
 * import { METRIC_NAMES } from '@dwcp/core'
 * import { memoryMetrics } from '@dwcp/core/testing'
 *
 * const metrics = memoryMetrics()
 * metrics.histogram(METRIC_NAMES.consensusLatency).observe(0.004, { protocol: 'raft' })
 * metrics.histogramCount(METRIC_NAMES.consensusLatency, { protocol: 'raft' }) // 1
 * ```
 */
export { type MemoryMetrics, memoryMetrics } from './memory-metrics.js'
export type { MetricSeries } from './metric-series.js'
