import { MemoryNetwork, memoryTransport } from '@dwcp/amst'
import { bytesSink, bytesSource, METRIC_NAMES, type PredictorFactory } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import type { DwcpNode } from './node.js'

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

/** A predictor whose every call fails with a plain error: a fault, not "no samples yet". */
const broken: PredictorFactory = () => ({
  model: 'broken',
  observe() {
    throw new TypeError('observe failed')
  },
  predict() {
    throw new TypeError('predict failed')
  },
  accuracy: () => ({ samples: 0, meanAbsolutePercentageError: 0, accuracy: 0 }),
})

describe('a failing predictor', () => {
  it('is counted and logged, sampling goes on, and forecasts fall back to the measured sample', async () => {
    const network = new MemoryNetwork()
    const metrics = memoryMetrics()
    const a = createNode('internet', {
      nodeId: 'a',
      transport: memoryTransport({ network, limits: { pingIntervalMs: 20 } }),
      listen: ['memory://a'],
      predictor: broken,
      metrics,
      sampleIntervalMs: 20,
    })
    const b = createNode('internet', {
      nodeId: 'b',
      transport: memoryTransport({ network, limits: { pingIntervalMs: 20 } }),
      listen: ['memory://b'],
    })
    nodes.push(a, b)
    await a.start()
    await b.start()
    await a.connect('memory://b')
    b.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    const faults = () => metrics.counterValue(METRIC_NAMES.errors, { component: 'pba', code: 'unexpected' })
    // Traffic until the sampler has fed (and counted the failures of) a few samples.
    const payload = new Uint8Array(4 * 1024 * 1024).map((_, i) => i * 7919)
    while (faults() < 3) await a.transfer('b', bytesSource(payload))
    expect(a.tryPredict('b')).toBeUndefined()
    expect(a.forecastBps('b') ?? 0).toBeGreaterThanOrEqual(0)
    expect(a.health().started).toBe(true)
    // Sampling goes on after each fault: the count keeps rising.
    const before = faults()
    while (faults() === before) await a.transfer('b', bytesSource(payload))
  }, 30_000)
})
