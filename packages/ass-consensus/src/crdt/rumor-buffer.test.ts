import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { RumorBuffer } from './rumor-buffer.js'
import { encodeSyncMessage } from './sync-codec.js'
import { crdtTestCluster } from './test-fixtures/memory-sync-network.js'

const limits = { rounds: 2, maxRumors: 5, maxMessageBytes: 200, maxUpdatesPerBatch: 3 }

describe('RumorBuffer', () => {
  it('pushes each rumor for its rounds, then retires it', () => {
    const buffer = new RumorBuffer(limits)
    buffer.add({ update: Uint8Array.of(1), originTimeMs: 5 })
    expect(buffer.round()).toEqual([[{ update: Uint8Array.of(1), originTimeMs: 5 }]])
    expect(buffer.round()).toHaveLength(1)
    expect(buffer.round()).toEqual([])
    expect(buffer.size).toBe(0)
  })

  it('drops the oldest rumors beyond its bound, and any rumor too large for one message', () => {
    const buffer = new RumorBuffer(limits)
    for (let i = 0; i < 8; i++) buffer.add({ update: Uint8Array.of(i) })
    buffer.add({ update: new Uint8Array(500) })
    expect(buffer.size).toBe(5)
    expect(buffer.dropped).toBe(4)
    const sent = buffer.round().flat()
    expect(sent.map((rumor) => rumor.update[0])).toEqual([3, 4, 5, 6, 7])
  })

  it('packs batches that encode within the byte and count bounds', () => {
    const buffer = new RumorBuffer({ ...limits, maxRumors: 100 })
    for (let i = 0; i < 20; i++) buffer.add({ update: new Uint8Array(40 + i), originTimeMs: 2 ** 40 })
    const batches = buffer.round()
    expect(batches.flat()).toHaveLength(20)
    for (const updates of batches) {
      expect(updates.length).toBeLessThanOrEqual(3)
      expect(encodeSyncMessage({ type: 'updates', updates }).byteLength).toBeLessThanOrEqual(200)
    }
  })
})

describe('CrdtReplicator message bounds', () => {
  it('never sends a message above maxMessageBytes, whatever the write rate', async () => {
    const { clock, network, replicas } = crdtTestCluster(['a', 'b', 'c'], { maxMessageBytes: 2048 })
    let largestBytes = 0
    network.tamper = (_from, _to, bytes) => {
      largestBytes = Math.max(largestBytes, bytes.byteLength)
      return bytes
    }
    for (const replica of replicas) await replica.start()
    for (let i = 0; i < 200; i++) await replicas[i % 3]!.set(`k${i % 50}`, 'v'.repeat(300))
    clock.advance(20_000)
    expect(largestBytes).toBeLessThanOrEqual(2048)
    expect(replicas[1]!.toJSON()).toEqual(replicas[0]!.toJSON())
    expect(replicas[2]!.toJSON()).toEqual(replicas[0]!.toJSON())
  })

  it('rejects options that are not positive', () => {
    for (const bad of [{ intervalMs: 0 }, { fanout: -1 }, { maxMessageBytes: Number.NaN }]) {
      let error: unknown
      try {
        crdtTestCluster(['a'], bad)
      } catch (e) {
        error = e
      }
      expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})
