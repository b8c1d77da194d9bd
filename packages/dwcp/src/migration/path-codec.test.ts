import { MemoryNetwork, memoryTransport } from '@dwcp/amst'
import type { Mode } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import type { DwcpNode } from '../node.js'
import { codecForPath } from './path-codec.js'
import { waitFor } from './test-fixtures/migration-cluster.js'

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

async function pair(mode: Mode, latencyMs: number): Promise<DwcpNode> {
  const network = new MemoryNetwork()
  const fast = { sampleIntervalMs: 20, modeDetection: { minDwellMs: 0 } }
  const a = createNode(mode, {
    nodeId: 'a',
    transport: memoryTransport({ network, conditions: { latencyMs } }),
    listen: ['memory://a'],
    ...fast,
  })
  const b = createNode(mode, {
    nodeId: 'b',
    transport: memoryTransport({ network, conditions: { latencyMs } }),
    listen: ['memory://b'],
    ...fast,
  })
  nodes.push(a, b)
  await a.start()
  await b.start()
  await a.connect('memory://b')
  return a
}

describe('codec per path', () => {
  it("follows the node's mode outside hybrid mode", async () => {
    const datacenter = await pair('datacenter', 0)
    expect(codecForPath(datacenter, 'b')).toEqual({ pathClass: 'datacenter', fullRound: 'raw', level: 1 })
    const internet = await pair('internet', 0)
    expect(codecForPath(internet, 'b')).toEqual({ pathClass: 'internet', fullRound: 'frames', level: 3 })
  })

  it("takes the mode detector's live class of each path in hybrid mode, internet until classified", {
    timeout: 30_000,
  }, async () => {
    const near = await pair('hybrid', 0)
    expect(codecForPath(near, 'b').pathClass).toBe('internet')
    await waitFor(() => near.pathClass('b') === 'datacenter', 10_000)
    expect(codecForPath(near, 'b')).toEqual({ pathClass: 'datacenter', fullRound: 'raw', level: 1 })
    const far = await pair('hybrid', 20)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(codecForPath(far, 'b').pathClass).toBe('internet')
  })
})
