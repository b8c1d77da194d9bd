import { METRIC_NAMES, NativeUnavailableError } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { complianceComponents, complianceIdentity } from './compliance/transport-suite.js'
import { fallbackTransport } from './fallback-transport.js'
import { MemoryNetwork } from './memory/memory-network.js'
import { memoryTransport } from './memory/memory-transport.js'
import { tcpTransport } from './tcp/tcp-transport.js'

describe('fallbackTransport', () => {
  it('falls back when the preferred transport cannot start, logs it, counts it and translates addresses', async () => {
    const metrics = memoryMetrics()
    const warnings: string[] = []
    const components = {
      ...complianceComponents(complianceIdentity('dc-node')),
      metrics,
      logger: {
        ...complianceComponents(complianceIdentity('x')).logger,
        warn: (f: Record<string, unknown>) => warnings.push(String(f.reason)),
      },
    }
    const transport = fallbackTransport({
      primary: () => {
        throw new NativeUnavailableError('no binary at build/Release/dwcp_rdma.node')
      },
      fallback: tcpTransport({ tls: false }),
      translate: (address) => address.replace(/^ucx:/, 'tcp:'),
    })(components)
    await transport.start()
    const bound = await transport.listen('ucx://127.0.0.1:0')
    expect(bound).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    expect(transport.name).toBe('tcp')
    expect(transport.health()).toMatchObject({ status: 'degraded', implementation: 'tcp' })
    expect(transport.health().reason).toContain('no binary')
    expect(
      metrics.counterValue(METRIC_NAMES.errors, { component: 'amst', code: 'DWCP_ERR_NATIVE_UNAVAILABLE' }),
    ).toBe(1)
    expect(warnings.some((w) => w.includes('no binary'))).toBe(true)
    await transport.stop()
  })

  it('uses the preferred transport when it starts', async () => {
    const network = new MemoryNetwork()
    const transport = fallbackTransport({
      primary: memoryTransport({ network }),
      fallback: tcpTransport({ tls: false }),
      translate: (a) => a,
    })(complianceComponents(complianceIdentity('dc-node')))
    await transport.start()
    expect(transport.name).toBe('memory')
    expect(transport.health().status).toBe('up')
    await transport.stop()
  })
})
