import { readFileSync } from 'node:fs'
import { METRIC_NAMES } from '@dwcp/core'
import { prometheusMetrics, recordNodeMode } from '@dwcp/metrics'
import { describe, expect, it } from 'vitest'

/** The `@example` code block of `src/index.ts`, one trimmed line per entry (the TSDoc `* ` removed). */
function indexExampleLines(): string[] {
  const source = readFileSync(new URL('./index.ts', import.meta.url), 'utf8')
  const block = /@example\s*\n \* ```ts\n([\s\S]*?) \* ```/.exec(source)
  if (!block) throw new Error('src/index.ts has no @example block')
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/^ \*\s?/, '').trim())
    .filter((line) => line !== '')
}

describe('the package example (src/index.ts), run against the built package', () => {
  it('runs', async () => {
    const metrics = prometheusMetrics({ defaultLabels: { node: 'node-a' } })()
    metrics.counter(METRIC_NAMES.amstBytesSent).inc({ transport: 'tcp' }, 65536)
    metrics.histogram(METRIC_NAMES.consensusLatency).observe(0.0042, { protocol: 'raft' })
    recordNodeMode(metrics, 'datacenter')
    const body = await metrics.render() // serve with `Content-Type: ${metrics.contentType}`

    expect(body).toContain('dwcp_amst_bytes_sent_total{transport="tcp",node="node-a"} 65536\n')
    expect(body).toContain('dwcp_node_mode{mode="datacenter",node="node-a"} 1\n')
  })

  it('is the code this file type-checks and runs, line for line', () => {
    const own = new Set(
      readFileSync(new URL('./example.test.ts', import.meta.url), 'utf8')
        .split('\n')
        .map((line) => line.trim()),
    )
    const lines = indexExampleLines()
    expect(lines.length).toBeGreaterThan(3)
    expect(lines.filter((line) => !own.has(line))).toEqual([])
  })
})
