import { describe, expect, it } from 'vitest'
import { signed } from './certificates.js'
import { batchDigest } from './digest.js'
import { PbftGroup, req } from './test-fixtures/pbft-group.js'
import type { NewView, PbftMessage } from './types.js'

describe('PBFT view changes (§4.4)', () => {
  it('backups move to view 1 when the primary is silent, and the new primary orders the request', () => {
    const g = new PbftGroup({ viewChangeTimeoutTicks: 5 })
    g.filter = (q) => q.from !== 0
    for (let id = 1; id < 4; id++) g.request(id, req('c1', 1))
    g.tick(10)
    for (let id = 1; id < 4; id++) {
      expect(g.replicas[id]!.view).toBe(1)
      expect(g.replicas[id]!.isChangingView).toBe(false)
      expect(g.seqs(id)).toEqual([1])
    }
  })

  it('a batch prepared in view 0 is re-proposed at the same sequence number in view 1', () => {
    const g = new PbftGroup({ viewChangeTimeoutTicks: 5 })
    // Commits are lost: the batch prepares everywhere but commits nowhere.
    g.filter = (q) => q.message.type !== 'commit'
    g.request(0, req('c1', 1))
    g.deliverAll()
    expect(g.seqs(1)).toEqual([])
    // Then the primary falls silent.
    g.filter = (q) => q.from !== 0
    for (let id = 1; id < 4; id++) g.request(id, req('c1', 1))
    g.tick(10)
    for (let id = 1; id < 4; id++) {
      expect(g.seqs(id)).toEqual([1])
      expect(g.executed[id]![0]!.requests.map((r) => r.clientId)).toEqual(['c1'])
      expect(g.executed[id]![0]!.view).toBe(1)
    }
  })

  it('a backup rejects a NEW-VIEW whose pre-prepares are not O recomputed from its view changes', () => {
    const g = new PbftGroup({ viewChangeTimeoutTicks: 5 })
    g.filter = (q) => q.message.type !== 'commit'
    g.request(0, req('c1', 1))
    g.deliverAll()
    let captured: NewView | undefined
    // Replica 1 (primary of view 1) sends its NEW-VIEW; replica 3 never receives the genuine one.
    g.filter = (q) => {
      if (q.message.type === 'newView' && q.to === 3) {
        captured = q.message
        return false
      }
      return q.from !== 0
    }
    for (let id = 1; id < 4; id++) g.request(id, req('c1', 1))
    g.tick(8)
    expect(captured).toBeDefined()
    const nv = captured!
    // The same view changes, but O replaced: seq 1 becomes a null request. Signed by the real new primary.
    const forgedPp = signed(g.signers[1]!, {
      ...nv.prePrepares[0]!,
      batch: [],
      digest: batchDigest([]),
      signature: new Uint8Array(),
    })
    const badO = signed(g.signers[1]!, { ...nv, prePrepares: [forgedPp], signature: new Uint8Array() })
    const backup = g.replicas[3]!
    const before = backup.rejected.certificate
    backup.step(badO)
    expect(backup.rejected.certificate).toBe(before + 1)
    // An O that leaves a prepared sequence number out is refused as well.
    const shortO = signed(g.signers[1]!, { ...nv, prePrepares: [], signature: new Uint8Array() })
    backup.step(shortO)
    expect(backup.rejected.certificate).toBe(before + 2)
    // The genuine one is accepted.
    backup.step(nv)
    expect(backup.isChangingView).toBe(false)
    expect(backup.view).toBe(1)
  })

  it('a replica joins a view change once f + 1 others ask for a later view', () => {
    const g = new PbftGroup({ viewChangeTimeoutTicks: 5 })
    // Only replicas 1 and 2 hear of the request, so only they time out; 3 joins on their two view changes.
    g.filter = (q) => q.from !== 0
    g.request(1, req('c1', 1))
    g.request(2, req('c1', 1))
    g.tick(10)
    expect(g.replicas[3]!.view).toBe(1)
    expect(g.replicas[3]!.viewChangesStarted).toBe(1)
    expect(g.seqs(3)).toEqual([1])
  })

  it('drops replayed messages of an earlier view and below the low water mark', () => {
    const g = new PbftGroup({ viewChangeTimeoutTicks: 5, checkpointIntervalSeqs: 2, watermarkWindowSeqs: 4 })
    const captured: PbftMessage[] = []
    g.filter = (q) => {
      const vote = q.message.type === 'prepare' || q.message.type === 'commit'
      if (q.to === 2 && q.from !== 3 && vote) captured.push(q.message)
      return true
    }
    for (let t = 1; t <= 2; t++) {
      g.request(0, req('c1', t))
      g.deliverAll()
    }
    expect(g.replicas[3]!.lowWatermark).toBe(2)
    const r3 = g.replicas[3]!
    // Below the low water mark: seq 1 and 2 are stable and truncated.
    for (const m of captured) r3.step(m)
    expect(r3.rejected.watermark).toBe(captured.length)
    expect(g.seqs(3)).toEqual([1, 2])
    // After a view change, view 0 messages are refused as of another view.
    g.filter = (q) => q.from !== 0
    for (let id = 1; id < 4; id++) g.request(id, req('c1', 3))
    g.tick(10)
    expect(r3.view).toBe(1)
    const before = r3.rejected.view
    const old = signed(g.signers[1]!, {
      type: 'prepare',
      view: 0,
      seq: 3,
      digest: new Uint8Array(32),
      replica: 1,
      signature: new Uint8Array(),
    })
    r3.step(old)
    expect(r3.rejected.view).toBe(before + 1)
  })
})
