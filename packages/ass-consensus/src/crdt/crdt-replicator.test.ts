import type { StateChange } from '@dwcp/core'
import { isDwcpError, METRIC_NAMES } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { crdtTestCluster } from './test-fixtures/memory-sync-network.js'

async function startAll(replicas: { start(): Promise<void> }[]): Promise<void> {
  for (const replica of replicas) await replica.start()
}

describe('CrdtReplicator', () => {
  it('converges two replicas and reads locally at once', async () => {
    const { clock, replicas } = crdtTestCluster(['a', 'b'])
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]]
    await startAll(replicas)
    await a.set('vm/1', { host: 'h1', cpus: 4 })
    expect(await a.get('vm/1')).toEqual({ host: 'h1', cpus: 4 })
    expect(await b.get('vm/1')).toBeUndefined()
    clock.advance(500)
    expect(await b.get('vm/1')).toEqual({ host: 'h1', cpus: 4 })
    expect(a.consistency).toBe('eventual')
  })

  it('resolves concurrent writes to one key the same way everywhere: the higher client id wins', async () => {
    const { clock, replicas } = crdtTestCluster(['a', 'b', 'c'])
    await startAll(replicas)
    // Concurrent: each write is made before any gossip round ran.
    for (const replica of replicas) await replica.set('leader', replica.id)
    clock.advance(3000)
    const winner = [...replicas].sort((x, y) => y.clientId - x.clientId)[0]!
    for (const replica of replicas) expect(replica.peek('leader')).toBe(winner.id)
    // A write made after seeing the others wins whatever its client id.
    const loser = [...replicas].sort((x, y) => x.clientId - y.clientId)[0]!
    await loser.set('leader', 'later')
    clock.advance(3000)
    for (const replica of replicas) expect(replica.peek('leader')).toBe('later')
  })

  it('propagates deletes, including concurrent set and delete', async () => {
    const { clock, replicas } = crdtTestCluster(['a', 'b', 'c'])
    const [a, b, c] = replicas as [(typeof replicas)[0], (typeof replicas)[0], (typeof replicas)[0]]
    await startAll(replicas)
    await a.set('x', 1)
    await a.set('y', 2)
    clock.advance(2000)
    await b.delete('x')
    await c.delete('y')
    await a.set('y', 3)
    clock.advance(3000)
    expect(a.toJSON()).toEqual(b.toJSON())
    expect(b.toJSON()).toEqual(c.toJSON())
    expect(a.peek('x')).toBeUndefined()
    await a.delete('missing')
  })

  it('fires observe once per change, local and remote, filtered by prefix', async () => {
    const { clock, replicas } = crdtTestCluster(['a', 'b'])
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]]
    await startAll(replicas)
    const seenOnB: StateChange[] = []
    const seenOnA: StateChange[] = []
    const stop = b.observe('vm/', (change) => seenOnB.push(change))
    a.observe('', (change) => seenOnA.push(change))
    await a.set('vm/1', 'h1')
    await a.set('other', true)
    await a.set('vm/1', 'h2')
    await a.delete('vm/1')
    expect(seenOnA).toEqual([
      { key: 'vm/1', value: 'h1' },
      { key: 'other', value: true },
      { key: 'vm/1', value: 'h2' },
      { key: 'vm/1', value: undefined },
    ])
    clock.advance(2000)
    // b may receive the four updates in one batch or several; each applied change fires once.
    expect(seenOnB.length).toBeGreaterThan(0)
    expect(seenOnB.at(-1)).toEqual({ key: 'vm/1', value: undefined })
    expect(seenOnB.every((change) => change.key === 'vm/1')).toBe(true)
    const before = seenOnB.length
    clock.advance(5000)
    // Anti-entropy and repeated rumors apply nothing new: no more events.
    expect(seenOnB.length).toBe(before)
    stop()
    await a.set('vm/2', 'h3')
    clock.advance(2000)
    expect(seenOnB.length).toBe(before)
  })

  it('anti-entropy heals a replica that missed every rumor', async () => {
    const { clock, network, replicas } = crdtTestCluster(['a', 'b', 'c'], { antiEntropyIntervalMs: 1000 })
    const [a, b, c] = replicas as [(typeof replicas)[0], (typeof replicas)[0], (typeof replicas)[0]]
    await startAll(replicas)
    network.isolate('c')
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).set(`k${i}`, i)
    clock.advance(5000)
    // Every rumor retired while c was cut off: only anti-entropy can repair it now.
    expect(a.pendingRumors + b.pendingRumors).toBe(0)
    expect(Object.keys(c.toJSON())).toHaveLength(0)
    expect(a.toJSON()).toEqual(b.toJSON())
    network.heal()
    clock.advance(3000)
    expect(c.toJSON()).toEqual(a.toJSON())
    expect(Object.keys(c.toJSON())).toHaveLength(20)
  })

  it('refuses a value too large for one gossip message, and writes before start', async () => {
    const { replicas } = crdtTestCluster(['a'], { maxMessageBytes: 1024 })
    const a = replicas[0]!
    const notStarted = await a.set('k', 1).catch((error: unknown) => error)
    expect(isDwcpError(notStarted, 'DWCP_ERR_NOT_STARTED')).toBe(true)
    await a.start()
    const error = await a.set('big', 'x'.repeat(2000)).catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect(a.peek('big')).toBeUndefined()
    await a.stop()
  })

  it('records sync latency from the origin timestamp, in seconds', async () => {
    const metrics = memoryMetrics()
    const { clock, replicas } = crdtTestCluster(['a', 'b'], { metrics, intervalMs: 200 })
    await startAll(replicas)
    await replicas[0]!.set('k', 1)
    clock.advance(1000)
    const observed = metrics.histogramValues(METRIC_NAMES.assSyncLatency, { mechanism: 'crdt' })
    expect(metrics.series(METRIC_NAMES.assSyncLatency).map((series) => series.labels)).toEqual([
      { mechanism: 'crdt' },
    ])
    expect(observed.length).toBeGreaterThan(0)
    // One round (≤ 200 ms) plus the 10 ms link.
    for (const seconds of observed) {
      expect(seconds).toBeGreaterThanOrEqual(0.01)
      expect(seconds).toBeLessThanOrEqual(0.21)
    }
  })

  it('stops its timers on stop and resumes on start', async () => {
    const { clock, replicas } = crdtTestCluster(['a', 'b'])
    await startAll(replicas)
    for (const replica of replicas) await replica.stop()
    expect(clock.pendingTimers).toBe(0)
    await startAll(replicas)
    await replicas[0]!.set('k', 'v')
    clock.advance(1000)
    expect(replicas[1]!.peek('k')).toBe('v')
    const again = await replicas[0]!.start().catch((error: unknown) => error)
    expect(isDwcpError(again, 'DWCP_ERR_ALREADY_STARTED')).toBe(true)
  })
})
