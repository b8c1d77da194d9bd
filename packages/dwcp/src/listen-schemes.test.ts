import { randomBytes } from 'node:crypto'
import { bytesSink, bytesSource } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import type { DwcpNode } from './node.js'

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

describe('a node listening on several schemes', { timeout: 60_000 }, () => {
  it('serves tcp:// and ucx:// at once; each peer dials the scheme it has and transfers', async () => {
    const hub = createNode('datacenter', {
      nodeId: 'hub',
      listen: ['tcp://127.0.0.1:0', 'ucx://127.0.0.1:0'],
      tls: false,
    })
    const viaTcp = createNode('datacenter', { nodeId: 'tcp-peer', listen: ['tcp://127.0.0.1:0'], tls: false })
    const viaUcx = createNode('datacenter', { nodeId: 'ucx-peer', listen: ['ucx://127.0.0.1:0'], tls: false })
    nodes.push(hub, viaTcp, viaUcx)
    for (const node of nodes) await node.start()
    const addresses = hub.addresses()
    expect(addresses).toHaveLength(2)
    const tcpAddress = addresses.find((a) => a.startsWith('tcp://')) as string
    // Where the native addon is missing, the UCX part serves TCP on its own port and health says why.
    const ucxAddress = addresses.find((a) => a !== tcpAddress) as string
    expect(ucxAddress).toMatch(/^(ucx|tcp):\/\/127\.0\.0\.1:\d+$/)
    expect(hub.health().components.transport?.implementation).toMatch(/^tcp\+(ucx|tcp)$/)

    const received: string[] = []
    hub.on('transfer', (peer, incoming) => {
      const sink = bytesSink(incoming.sizeBytes)
      void incoming.accept(sink).then(() => received.push(peer))
    })
    await viaTcp.connect(tcpAddress)
    await viaUcx.connect(ucxAddress)
    const payload = randomBytes(3 * 1024 * 1024)
    await viaTcp.transfer('hub', bytesSource(payload))
    await viaUcx.transfer('hub', bytesSource(payload))
    expect(received.sort()).toEqual(['tcp-peer', 'ucx-peer'])
    expect(hub.peers().sort()).toEqual(['tcp-peer', 'ucx-peer'])
  })

  it('refuses memory:// mixed with a network scheme, and unknown schemes, as config errors', () => {
    expect(() =>
      createNode('datacenter', { listen: ['memory://x', 'tcp://127.0.0.1:0'], tls: false }),
    ).toThrow(expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }))
    expect(() => createNode('datacenter', { listen: ['udp://127.0.0.1:0'], tls: false })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }),
    )
  })
})
