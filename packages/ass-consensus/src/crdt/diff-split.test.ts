import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { encodeBoundedDiff } from './diff-split.js'
import { crdtTestCluster } from './test-fixtures/memory-sync-network.js'

/** A document with `writers` clients, each writing `keysEach` values of `valueBytes` and deleting one. */
function docWithWriters(writers: number, keysEach: number, valueBytes: number): Y.Doc {
  const doc = new Y.Doc()
  for (let client = 1; client <= writers; client++) {
    const writer = new Y.Doc()
    writer.clientID = client
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(doc))
    const map = writer.getMap('state')
    for (let k = 0; k < keysEach; k++) map.set(`k${client}-${k}`, 'x'.repeat(valueBytes))
    map.delete(`k${client}-0`)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(writer))
  }
  return doc
}

function rebuild(parts: Uint8Array[]): Y.Doc {
  const replica = new Y.Doc()
  // Reverse order: later structs arrive before the ones they depend on.
  for (const part of [...parts].reverse()) Y.applyUpdate(replica, part)
  return replica
}

describe('bounded anti-entropy diffs', () => {
  it('sends a small diff whole', () => {
    const { parts, refusedClients } = encodeBoundedDiff(docWithWriters(3, 2, 10), new Uint8Array([0]), 1024)
    expect(parts).toHaveLength(1)
    expect(refusedClients).toEqual([])
  })

  it('splits an oversized diff, even one client’s history, into parts that rebuild the state', () => {
    const doc = docWithWriters(3, 10, 300)
    for (const theirVector of [new Uint8Array([0]), Y.encodeStateVector(docWithWriters(1, 10, 300))]) {
      const { parts, refusedClients, deleteSetRefused } = encodeBoundedDiff(doc, theirVector, 1000)
      expect(refusedClients).toEqual([])
      expect(deleteSetRefused).toBe(false)
      expect(parts.length).toBeGreaterThan(5)
      for (const part of parts) expect(part.byteLength).toBeLessThanOrEqual(1000)
    }
    const { parts } = encodeBoundedDiff(doc, new Uint8Array([0]), 1000)
    const replica = rebuild(parts)
    expect(replica.getMap('state').toJSON()).toEqual(doc.getMap('state').toJSON())
    expect(Y.encodeStateVector(replica)).toEqual(Y.encodeStateVector(doc))
  })

  it('refuses, and reports, a client with one value larger than the bound', () => {
    const doc = docWithWriters(2, 2, 100)
    const big = new Y.Doc()
    big.clientID = 99
    big.getMap('state').set('big', 'y'.repeat(5000))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(big))
    const { parts, refusedClients } = encodeBoundedDiff(doc, new Uint8Array([0]), 1000)
    expect(refusedClients).toEqual([99])
    // Everything else still arrives.
    expect(Object.keys(rebuild(parts).getMap('state').toJSON()).sort()).toEqual(['k1-1', 'k2-1'])
  })

  it('lets a late replica catch up on a state larger than the message bound', async () => {
    const { clock, replicas } = crdtTestCluster(['a', 'b', 'c'], { maxMessageBytes: 2048 })
    const [a, b, late] = replicas as [(typeof replicas)[0], (typeof replicas)[0], (typeof replicas)[0]]
    await a.start()
    await b.start()
    for (let i = 0; i < 12; i++) await (i < 10 ? a : b).set(`k${i}`, 'v'.repeat(900))
    await a.delete('k0')
    clock.advance(5000)
    // The late replica was not running during the rumors: it catches up by anti-entropy, in parts.
    await late.start()
    clock.advance(10_000)
    expect(late.toJSON()).toEqual(a.toJSON())
    expect(Object.keys(late.toJSON())).toHaveLength(11)
    expect(a.stats.diffPartsRefused + b.stats.diffPartsRefused).toBe(0)
  })
})
