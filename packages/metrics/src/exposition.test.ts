import { METRIC_NAMES } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { recordNodeMode } from './node-mode.js'
import { prometheusMetrics } from './prometheus-metrics.js'

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"'
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*(?:e[-+]?\\d+)?|\\.\\d+)|[-+]?Inf|NaN)'
const HELP_LINE = new RegExp(`^# HELP (${NAME}) .*$`)
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`)
// Case-insensitive like Prometheus' float parser: prom-client writes NaN as `Nan`.
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL})(?:,${LABEL})*\\})? ${VALUE}$`, 'i')

/**
 * Checks the Prometheus text format line by line (version 0.0.4): HELP and TYPE comments, samples with
 * quoted label values and numeric values, every sample after the TYPE line of its family. Returns the
 * problems found.
 */
function lintExposition(text: string): string[] {
  const problems: string[] = []
  const typed = new Map<string, string>()
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || HELP_LINE.test(line)) continue
    const type = TYPE_LINE.exec(line)
    if (type) {
      if (typed.has(type[1]!)) problems.push(`line ${index + 1}: second TYPE for ${type[1]}`)
      typed.set(type[1]!, type[2]!)
      continue
    }
    const sample = SAMPLE_LINE.exec(line)
    if (!sample) {
      problems.push(`line ${index + 1}: not a valid line: ${line}`)
      continue
    }
    const name = sample[1]!
    const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '')
    if (!typed.has(family)) problems.push(`line ${index + 1}: sample ${name} before its TYPE line`)
  }
  return problems
}

describe('exposition text', () => {
  it('parses as Prometheus text format with every kind of series present', async () => {
    const metrics = prometheusMetrics({ collectDefaultMetrics: true, defaultLabels: { node: 'n-1' } })()
    metrics.counter(METRIC_NAMES.amstModeTransitions).inc({ from: 'internet', to: 'datacenter' })
    metrics.counter(METRIC_NAMES.errors).inc({ component: 'ass', code: 'quote " and \\ backslash\nnewline' })
    metrics.gauge(METRIC_NAMES.hdeCompressionRatio).set(1e-9, { algorithm: 'lz4' })
    metrics.histogram(METRIC_NAMES.amstSendLatency).observe(0.0001, { transport: 'tcp' })
    recordNodeMode(metrics, 'hybrid')
    const text = await metrics.render()
    expect(lintExposition(text)).toEqual([])
    expect(text).toContain('dwcp_amst_mode_transitions_total{from="internet",to="datacenter",node="n-1"} 1\n')
  })

  it('flags malformed lines', () => {
    expect(lintExposition('# TYPE a counter\na{x=1} 2\nb 1\n')).toEqual([
      'line 2: not a valid line: a{x=1} 2',
      'line 3: sample b before its TYPE line',
    ])
  })
})
