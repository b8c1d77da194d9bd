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
  it('after 5 × 8 MiB from a to b, predict works on both ends and the registries show predictions and codec bytes', async () => {
    const registry = (node: string) => prometheusMetrics({ defaultLabels: { node } })()
    const metricsA = registry('a')
    const metricsB = registry('b')
    const options = (nodeId: string): NodeOptions => ({
      nodeId,
      listen: ['tcp://127.0.0.1:0'],
      tls: false,
      sampleIntervalMs: 250,
    })
    const a = createNode('internet', { ...options('a'), metrics: metricsA })
    const b = createNode('internet', { ...options('b'), metrics: metricsB })
    nodes.push(a, b)
    await a.start()
    await b.start()
    await a.connect(b.addresses()[0] as string)
    b.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    // Log-like bytes: compressible, so the codec has work; different each time, so nothing is trivially equal.
    for (let i = 0; i < 5; i++) {
      const payload = new Uint8Array(8 * 1024 * 1024).map((_, k) => 32 + ((k * (i + 3)) % 90))
      await a.transfer('b', bytesSource(payload), { chunkBytes: 1024 * 1024 })
    }
    // The sender measures delivery from acknowledgements, the receiver its goodput: both have a forecast.
    const fromA = await predictWhenSampled(a, 'b', 10_000)
    const fromB = await predictWhenSampled(b, 'a', 10_000)
    expect(fromA.bandwidthBps).toBeGreaterThan(0)
    expect(fromB.bandwidthBps).toBeGreaterThan(0)
    // Health says which runtime computes the learned model: onnxruntime where installed, else TypeScript.
    const runtimes = async (): Promise<Record<string, number> | undefined> => {
      for (let i = 0; i < 100; i++) {
        const details = a.health().components.predictor?.details as { runtimes?: Record<string, number> }
        if (details?.runtimes) return details.runtimes
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return undefined
    }
    expect(Object.keys((await runtimes()) ?? {})).toEqual([
      expect.stringMatching(/^(onnxruntime|typescript)$/),
    ])
    const textA = await metricsA.render()
    const textB = await metricsB.render()
    expect(textA).toMatch(/^dwcp_pba_internet_predictions_total\{node="a"\} [1-9]\d*$/m)
    expect(textB).toMatch(/^dwcp_pba_internet_predictions_total\{node="b"\} [1-9]\d*$/m)
    expect(textA).toMatch(/^dwcp_hde_bytes_original_total\{algorithm="[a-z0-9-]+",node="a"\} [1-9]\d*$/m)
    expect(textA).toMatch(/^dwcp_hde_bytes_compressed_total\{algorithm="[a-z0-9-]+",node="a"\} [1-9]\d*$/m)
    expect(textA).toMatch(/^dwcp_hde_compression_ratio\{algorithm="[a-z0-9-]+",node="a"\} [1-9][\d.e+]*$/m)
  })
})
