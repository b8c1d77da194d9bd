import { bytesSink, bytesSource, isDwcpError, type Prediction } from '@dwcp/core'
import { prometheusMetrics } from '@dwcp/metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import type { DwcpNode } from './node.js'
import type { NodeOptions } from './node-options.js'

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** `node.predict(peer)` once the path has samples; any other error fails at once. */
async function predictWhenSampled(node: DwcpNode, peer: string, timeoutMs: number): Promise<Prediction> {
  const deadlineMs = Date.now() + timeoutMs
  for (;;) {
    try {
      return node.predict(peer)
    } catch (error) {
      // Only "no samples of the path yet" is worth waiting for.
      const noSamples = isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT') && /no samples/.test(error.message)
      if (!noSamples || Date.now() > deadlineMs) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('predictions with the production metrics registry', { timeout: 60_000 }, () => {
  it('predict(peer) after a transfer between two internet nodes records the prediction and does not throw', async () => {
    const metrics = prometheusMetrics({ defaultLabels: { node: 'a' } })()
    const options = (nodeId: string): NodeOptions => ({
      nodeId,
      listen: ['tcp://127.0.0.1:0'],
      tls: false,
      sampleIntervalMs: 50,
    })
    const a = createNode('internet', { ...options('a'), metrics })
    const b = createNode('internet', options('b'))
    nodes.push(a, b)
    await a.start()
    await b.start()
    await a.connect(b.addresses()[0] as string)
    const payload = new Uint8Array(8 * 1024 * 1024)
    b.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    await a.transfer('b', bytesSource(payload), { chunkBytes: 1024 * 1024 })

    const prediction = await predictWhenSampled(a, 'b', 10_000)
    expect(prediction.bandwidthBps).toBeGreaterThan(0)
    const text = await metrics.render()
    expect(text).toMatch(/^dwcp_pba_internet_predictions_total\{node="a"\} [1-9]\d*$/m)
  })
})
