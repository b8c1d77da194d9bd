import { describe, expect, it } from 'vitest'
import {
  findMetricDefinition,
  LATENCY_BUCKETS_SECONDS,
  METRIC_DEFINITIONS,
  PREDICTION_LATENCY_BUCKETS_SECONDS,
} from './metric-definitions.js'
import { METRIC_NAMES } from './metrics.js'

const names = Object.values(METRIC_NAMES)

describe('METRIC_DEFINITIONS', () => {
  it('defines every runbook name under its own name and nothing else', () => {
    expect(Object.keys(METRIC_DEFINITIONS).sort()).toEqual([...names].sort())
    for (const name of names) expect(METRIC_DEFINITIONS[name].name).toBe(name)
  })

  it('gives each metric the agreed type and labels', () => {
    const shape = Object.fromEntries(
      Object.values(METRIC_DEFINITIONS).map((d) => [d.name, `${d.type}(${d.labelNames.join(',')})`]),
    )
    expect(shape).toEqual({
      dwcp_amst_bytes_sent_total: 'counter(transport)',
      dwcp_amst_bytes_received_total: 'counter(transport)',
      dwcp_amst_active_streams: 'gauge(transport)',
      dwcp_amst_mode_transitions_total: 'counter(from,to)',
      dwcp_amst_send_latency_seconds: 'histogram(transport)',
      dwcp_hde_compression_ratio: 'gauge(algorithm)',
      dwcp_hde_bytes_original_total: 'counter(algorithm)',
      dwcp_hde_bytes_compressed_total: 'counter(algorithm)',
      dwcp_hde_delta_hit_rate: 'gauge()',
      dwcp_hde_ml_algorithm_usage: 'counter(algorithm)',
      dwcp_pba_prediction_latency_seconds: 'histogram(model)',
      dwcp_pba_prediction_accuracy: 'gauge(model)',
      dwcp_pba_datacenter_predictions_total: 'counter()',
      dwcp_pba_internet_predictions_total: 'counter()',
      dwcp_errors_total: 'counter(component,code)',
      dwcp_ass_sync_latency_seconds: 'histogram(mechanism)',
      dwcp_consensus_latency_seconds: 'histogram(protocol)',
      dwcp_placement_attempts_total: 'counter(strategy)',
      dwcp_placement_success_total: 'counter(strategy)',
      dwcp_node_mode: 'gauge(mode)',
    })
  })

  it('names counters with _total and latencies with _seconds, except the runbook fixed name', () => {
    for (const d of Object.values(METRIC_DEFINITIONS)) {
      if (d.type === 'counter' && d.name !== 'dwcp_hde_ml_algorithm_usage') expect(d.name).toMatch(/_total$/)
      if (d.type === 'histogram') expect(d.name).toMatch(/_seconds$/)
      expect(d.help.length).toBeGreaterThan(10)
    }
  })

  it('gives buckets to histograms only', () => {
    for (const d of Object.values(METRIC_DEFINITIONS)) {
      expect(d.buckets !== undefined).toBe(d.type === 'histogram')
    }
  })

  it('uses strictly ascending buckets spanning the documented ranges', () => {
    for (const [buckets, low, high] of [
      [LATENCY_BUCKETS_SECONDS, 50e-6, 30],
      [PREDICTION_LATENCY_BUCKETS_SECONDS, 10e-6, 0.1],
    ] as const) {
      expect(buckets[0]).toBeCloseTo(low, 12)
      expect(buckets.at(-1)).toBeCloseTo(high, 12)
      for (let i = 1; i < buckets.length; i++) {
        const ratio = buckets[i]! / buckets[i - 1]!
        expect(ratio).toBeGreaterThan(1.5)
        expect(ratio).toBeLessThanOrEqual(3)
      }
    }
  })

  it('keeps label cardinality low: no per-peer or per-transfer labels', () => {
    for (const d of Object.values(METRIC_DEFINITIONS)) {
      for (const label of d.labelNames) expect(label).not.toMatch(/peer|node|transfer|id$|address/)
    }
  })

  it('is frozen', () => {
    expect(Object.isFrozen(METRIC_DEFINITIONS)).toBe(true)
    expect(Object.isFrozen(METRIC_DEFINITIONS.dwcp_errors_total.labelNames)).toBe(true)
    expect(Object.isFrozen(LATENCY_BUCKETS_SECONDS)).toBe(true)
  })
})

describe('findMetricDefinition', () => {
  it('finds runbook names and nothing else', () => {
    expect(findMetricDefinition('dwcp_node_mode')?.type).toBe('gauge')
    expect(findMetricDefinition('dwcp_nope_total')).toBeUndefined()
    expect(findMetricDefinition('toString')).toBeUndefined()
    expect(findMetricDefinition('__proto__')).toBeUndefined()
  })
})
