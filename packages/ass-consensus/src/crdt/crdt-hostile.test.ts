import { METRIC_NAMES, seededRandom } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { encodeSyncMessage } from './sync-codec.js'
import { crdtTestCluster } from './test-fixtures/memory-sync-network.js'

/** Random bytes from a seeded generator: the same garbage on every run. */
function garbage(random: { next(): number }, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random.next() * 256))
}

describe('CrdtReplicator against hostile peers', () => {
  it('drops and counts frames that do not decode, and updates or vectors Yjs refuses', async () => {
    const metrics = memoryMetrics()
    const { clock, network, replicas } = crdtTestCluster(['a', 'b'], { metrics })
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]]
    await a.start()
    await b.start()
    await a.set('before', 1)
    const random = seededRandom(42)
    for (let i = 0; i < 200; i++) network.inject('evil', 'b', garbage(random, 1 + (i % 64)))
    for (let i = 0; i < 200; i++) {
      const update = garbage(random, 1 + (i % 64))
      network.inject(
        'evil',
        'b',
        encodeSyncMessage({ type: 'updates', updates: [{ update, originTimeMs: 5 }] }),
      )
      network.inject('evil', 'b', encodeSyncMessage({ type: 'diff', update }))
      network.inject(
        'evil',
        'b',
        encodeSyncMessage({ type: 'stateVectorRequest', stateVector: update, reciprocate: true }),
      )
    }
    // A truncated Yjs update: well-framed, refused by Yjs with its own error.
    network.inject(
      'evil',
      'b',
      encodeSyncMessage({ type: 'diff', update: Uint8Array.of(1, 2, 3, 200, 200, 200) }),
    )
    expect(b.stats.framesDropped).toBeGreaterThan(100)
    expect(b.stats.updatesRejected).toBeGreaterThan(10)
    const errors = metrics.series(METRIC_NAMES.errors)
    // Production accepts a call that leaves a declared label out; every error here must still carry both.
    for (const series of errors) expect(Object.keys(series.labels).sort()).toEqual(['code', 'component'])
    const corrupt = { component: 'ass-crdt', code: 'DWCP_ERR_FRAME_CORRUPT' }
    expect(metrics.counterValue(METRIC_NAMES.errors, corrupt)).toBeGreaterThan(0)
    expect(errors.reduce((sum, series) => sum + series.value, 0)).toBeGreaterThanOrEqual(2)
    // The node still works and still converges with its honest peer.
    await b.set('after', 2)
    clock.advance(3000)
    expect(a.toJSON()).toMatchObject({ before: 1, after: 2 })
    expect(b.toJSON()).toMatchObject({ before: 1, after: 2 })
  })

  it('survives corruption of honest traffic in flight and still converges once it stops', async () => {
    const { clock, network, replicas } = crdtTestCluster(['a', 'b', 'c'])
    for (const replica of replicas) await replica.start()
    const random = seededRandom(7)
    network.tamper = (_from, _to, bytes) => {
      const copy = bytes.slice()
      const bit = Math.floor(random.next() * copy.byteLength * 8)
      copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7))
      return copy
    }
    for (let i = 0; i < 30; i++) await replicas[i % 3]!.set(`k${i % 7}`, i)
    clock.advance(5000)
    network.tamper = undefined
    clock.advance(10_000)
    const [a, b, c] = replicas.map((replica) => replica.toJSON())
    expect(b).toEqual(a)
    expect(c).toEqual(a)
    const rejected = replicas.reduce((sum, r) => sum + r.stats.framesDropped + r.stats.updatesRejected, 0)
    expect(rejected).toBeGreaterThan(0)
  })
})
