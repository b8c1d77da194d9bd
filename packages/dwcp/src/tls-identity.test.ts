import { randomBytes } from 'node:crypto'
import { bytesSink, bytesSource, METRIC_NAMES } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import type { DwcpNode } from './node.js'
import { makeCertificates, tempDir } from './server/test-fixtures/harness.js'

const dir = tempDir('dwcp-tls-identity-')
const certs = makeCertificates(dir.dir, ['node-1', 'node-2', 'node-3'])
afterAll(() => dir.remove())

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** mTLS as the runbook configures it, with the certificate of `certOf`. */
const tlsOf = (certOf: string) => ({
  enabled: true,
  ...(certs.nodes[certOf] as { certFile: string; keyFile: string }),
  caFile: certs.caFile,
  allowedSubjects: ['CN=node-*.datacenter.local'],
})

describe('node identity over mutual TLS', { timeout: 60_000 }, () => {
  it('refuses a member that speaks as another node id than its certificate names, and counts it', async () => {
    const metrics = memoryMetrics()
    const target = createNode('datacenter', {
      nodeId: 'node-3',
      listen: ['tcp://127.0.0.1:0'],
      tls: tlsOf('node-3'),
      metrics,
    })
    // node-1's valid certificate, claiming to be node-2.
    const impostor = createNode('datacenter', {
      nodeId: 'node-2',
      listen: ['tcp://127.0.0.1:0'],
      tls: tlsOf('node-1'),
    })
    const honest = createNode('datacenter', {
      nodeId: 'node-1',
      listen: ['tcp://127.0.0.1:0'],
      tls: tlsOf('node-1'),
    })
    nodes.push(target, impostor, honest)
    for (const node of nodes) await node.start()
    const address = target.addresses()[0] as string
    await expect(impostor.connect(address)).rejects.toThrow(/claims node id node-2/)
    expect(target.peers()).toEqual([])
    expect(
      metrics.counterValue(METRIC_NAMES.errors, { component: 'amst', code: 'DWCP_ERR_PEER_UNAUTHORIZED' }),
    ).toBeGreaterThanOrEqual(1)
    await honest.connect(address)
    expect(target.peers()).toEqual(['node-1'])
  })

  it('serves ucx:// over TCP with TLS when TLS is configured (UCX has none), and says so in health', async () => {
    const hub = createNode('datacenter', {
      nodeId: 'node-1',
      listen: ['ucx://127.0.0.1:0'],
      tls: tlsOf('node-1'),
    })
    const peer = createNode('datacenter', {
      nodeId: 'node-2',
      listen: ['ucx://127.0.0.1:0'],
      tls: tlsOf('node-2'),
    })
    nodes.push(hub, peer)
    await hub.start()
    await peer.start()
    const [address] = hub.addresses()
    expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    const transport = hub.health().components.transport
    expect(transport).toMatchObject({ status: 'degraded', implementation: 'tcp+tls1.3' })
    expect(transport?.reason).toMatch(/UCX carries no TLS/)
    const received = new Promise<number>((resolve) =>
      hub.on('transfer', (_peer, incoming) => {
        const sink = bytesSink(incoming.sizeBytes)
        void incoming.accept(sink).then(() => resolve(sink.bytes.byteLength))
      }),
    )
    await peer.connect(address as string)
    await peer.transfer('node-1', bytesSource(randomBytes(1024 * 1024)))
    expect(await received).toBe(1024 * 1024)
  })
})
