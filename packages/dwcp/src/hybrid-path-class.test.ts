import { randomBytes } from 'node:crypto'
import { LinkProfile, MemoryNetwork, memoryTransport } from '@dwcp/amst'
import { bytesSink, bytesSource, type PathTransition } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import { waitFor } from './migration/test-fixtures/migration-cluster.js'
import type { DwcpNode } from './node.js'

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** Pings and samples every 20 ms, so that classes settle in well under a second. */
const FAST_SAMPLING = { pingIntervalMs: 20 }
const DWELL_MS = 1500

function hybridNode(network: MemoryNetwork, id: string, conditions?: LinkProfile): DwcpNode {
  const node = createNode('hybrid', {
    nodeId: id,
    listen: [`memory://${id}`],
    transport: memoryTransport({ network, limits: FAST_SAMPLING, ...(conditions ? { conditions } : {}) }),
    sampleIntervalMs: 20,
    // In-memory pings time the event loops of both ends: beside the rest of the suite on 2 cores that alone can pass
    // the 1 ms datacenter bound. The class boundaries sit at 5/10 ms here, still far below the remote path's 20 ms.
    modeDetection: {
      minDwellMs: DWELL_MS,
      confirmSamples: 3,
      thresholds: { datacenterEnterRttMs: 5, datacenterExitRttMs: 10 },
    },
  })
  nodes.push(node)
  return node
}

describe('hybrid mode: each path on its class', { timeout: 60_000 }, () => {
  it('gives each path its class’s codec, and re-profiling one path switches that peer once, after the dwell', async () => {
    const network = new MemoryNetwork()
    const far = new LinkProfile({ latencyMs: 20 })
    const hub = hybridNode(network, 'hub')
    const near = hybridNode(network, 'near')
    const remote = hybridNode(network, 'remote', far)
    for (const node of nodes) await node.start()
    // A session's first round trips run cold code (a few ms) and its smoothed RTT forgets them slowly: warm the
    // session code up on a throwaway session first, so that the near path is not taken for a far one at first.
    const warmUp = await near.connect('memory://hub')
    await new Promise((resolve) => setTimeout(resolve, 500))
    await warmUp.close()
    await waitFor(() => hub.peers().length === 0, 5000)
    const transitions: PathTransition[] = []
    hub.on('path', (t) => transitions.push(t))
    await near.connect('memory://hub')
    await remote.connect('memory://hub')
    // The hub classifies what it sees of each path: its own pings over the links its peers dialled.
    await waitFor(
      () => hub.pathClass('near') === 'datacenter' && hub.pathClass('remote') === 'internet',
      10_000,
    )
    expect(hub.mode).toBe('hybrid')
    expect(hub.codecFor('near').name).toBe('lz4')
    expect(hub.codecFor('remote').name).toBe('adaptive')
    // The far path becomes a datacenter one: the hub switches it once the dwell has passed, and only it.
    far.set({ latencyMs: 0 })
    await waitFor(() => hub.pathClass('remote') === 'datacenter', 20_000)
    const [first, second] = transitions.filter((t) => t.peer === 'remote')
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(DWELL_MS)
    expect(hub.codecFor('remote').name).toBe('lz4')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const byPeer = (peer: string) =>
      transitions.filter((t) => t.peer === peer).map((t) => `${t.from}>${t.to}`)
    expect(byPeer('remote')).toEqual(['undefined>internet', 'internet>datacenter'])
    expect(byPeer('near')).toEqual(['undefined>datacenter'])
  })

  it('paces an internet path at twice its forecast and leaves a datacenter path unpaced', async () => {
    const network = new MemoryNetwork()
    const hub = hybridNode(network, 'hub')
    const near = hybridNode(network, 'near')
    const remote = hybridNode(network, 'remote', new LinkProfile({ latencyMs: 20, rateBps: 200e6 }))
    for (const node of nodes) await node.start()
    await near.connect('memory://hub')
    await remote.connect('memory://hub')
    await waitFor(
      () => hub.pathClass('near') === 'datacenter' && hub.pathClass('remote') === 'internet',
      10_000,
    )
    hub.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    // Incompressible traffic, so that the wire carries all of it and the hub measures the path's rate.
    await remote.transfer('hub', bytesSource(randomBytes(4 * 1024 * 1024)))
    await near.transfer('hub', bytesSource(randomBytes(4 * 1024 * 1024)))
    await waitFor(() => pacingOf(hub, 'remote') > 0, 5000)
    const forecastBps = hub.forecastBps('remote') as number
    expect(pacingOf(hub, 'remote')).toBeGreaterThan(forecastBps)
    expect(pacingOf(hub, 'near')).toBe(0)
  })
})

/** The pacing rate of the node's session to `peer` (AMST sessions expose it), in bits per second. */
function pacingOf(node: DwcpNode, peer: string): number {
  return (node.session(peer) as unknown as { pacingRateBps: number }).pacingRateBps
}
