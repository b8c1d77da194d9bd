import { isDwcpError, type Mode } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { recordNodeMode } from './node-mode.js'
import { prometheusMetrics } from './prometheus-metrics.js'

describe('recordNodeMode', () => {
  it('sets 1 for the current mode and 0 for the others, following changes', async () => {
    const metrics = prometheusMetrics()()
    recordNodeMode(metrics, 'internet')
    recordNodeMode(metrics, 'datacenter')
    const text = await metrics.render()
    expect(text).toContain('dwcp_node_mode{mode="datacenter"} 1\n')
    expect(text).toContain('dwcp_node_mode{mode="internet"} 0\n')
    expect(text).toContain('dwcp_node_mode{mode="hybrid"} 0\n')
  })

  it('rejects a value that is not a mode', () => {
    const metrics = prometheusMetrics()()
    let error: unknown
    try {
      recordNodeMode(metrics, 'lan' as Mode)
    } catch (e) {
      error = e
    }
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
