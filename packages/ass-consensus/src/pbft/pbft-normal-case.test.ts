import { describe, expect, it } from 'vitest'
import { signed } from './certificates.js'
import { batchDigest } from './digest.js'
import { PbftGroup, req } from './test-fixtures/pbft-group.js'

describe('PBFT normal case (§4.2)', () => {
  it('four replicas commit and execute one request, and every replica replies', () => {
    const g = new PbftGroup()
    g.request(0, req('c1', 1))
    g.deliverAll()
    for (let id = 0; id < 4; id++) expect(g.seqs(id)).toEqual([1])
    const replies = g.replies.filter((r) => r.clientId === 'c1' && r.timestamp === 1)
    expect(new Set(replies.map((r) => r.replica)).size).toBe(4)
    expect(new Set(replies.map((r) => Buffer.from(r.result).toString('hex'))).size).toBe(1)
  })

  it('batches requests that arrive while a batch is in flight into one pre-prepare', () => {
    const g = new PbftGroup({ maxBatchRequests: 8 })
    g.request(0, req('c0', 1))
    for (let c = 1; c <= 5; c++) g.request(0, req(`c${c}`, 1))
    g.deliverAll()
    g.tick()
    expect(g.seqs(1)).toEqual([1, 2])
    expect(g.executed[1]![1]!.requests).toHaveLength(5)
  })

  it('cuts a full batch at once even while another is in flight', () => {
    const g = new PbftGroup({ maxBatchRequests: 2 })
    for (let c = 0; c < 5; c++) g.request(0, req(`c${c}`, 1))
    g.deliverAll()
    g.tick()
    expect(g.executed[2]!.map((b) => b.requests.length)).toEqual([1, 2, 2])
  })

  it('a backup relays a request to the primary', () => {
    const g = new PbftGroup()
    g.request(2, req('c1', 1))
    g.deliverAll()
    expect(g.seqs(3)).toEqual([1])
  })

  it('answers a repeated request with the cached reply and never executes it twice', () => {
    const g = new PbftGroup()
    g.request(0, req('c1', 1))
    g.deliverAll()
    const before = g.replies.length
    for (let id = 0; id < 4; id++) g.request(id, req('c1', 1))
    g.deliverAll()
    g.tick(3)
    expect(g.replies.length).toBe(before + 4)
    for (let id = 0; id < 4; id++) expect(g.executed[id]!.flatMap((b) => b.requests)).toHaveLength(1)
    // An older timestamp is ignored altogether.
    g.request(0, req('c1', 0))
    g.deliverAll()
    expect(g.replies.length).toBe(before + 4)
  })

  it('drops a message whose signature is forged', () => {
    const g = new PbftGroup()
    g.request(0, req('c1', 1))
    // Replica 3 forges a prepare in replica 1's name with its own key.
    const forged = { type: 'prepare' as const, view: 0, seq: 1, digest: new Uint8Array(32), replica: 1 }
    const signature = g.signers[3]!.sign(new Uint8Array([1, 2, 3]))
    g.replicas[2]!.step({ ...forged, signature })
    expect(g.replicas[2]!.rejected.signature).toBe(1)
    g.deliverAll()
    expect(g.seqs(2)).toEqual([1])
  })

  it('rejects pre-prepares outside the water marks, from a backup, of another view, with a bad digest', () => {
    const g = new PbftGroup({ checkpointIntervalSeqs: 4, watermarkWindowSeqs: 8 })
    const backup = g.replicas[3]!
    const batch = [req('c1', 1)]
    const pp = (seq: number, replica: number, view = 0, digest = batchDigest(batch)) =>
      signed(g.signers[replica]!, {
        type: 'prePrepare' as const,
        view,
        seq,
        digest,
        batch,
        replica,
        signature: new Uint8Array(),
      })
    backup.step(pp(9, 0))
    expect(backup.rejected.watermark).toBe(1)
    backup.step(pp(1, 2))
    expect(backup.rejected.sender).toBe(1)
    backup.step(pp(1, 1, 1))
    expect(backup.rejected.view).toBe(1)
    backup.step(pp(1, 0, 0, new Uint8Array(32)))
    expect(backup.rejected.digest).toBe(1)
    // The primary equivocates: the first pre-prepare for (view 0, seq 1) is kept, a different one refused.
    backup.step(pp(1, 0))
    const other = [req('c2', 1)]
    backup.step(
      signed(g.signers[0]!, {
        type: 'prePrepare',
        view: 0,
        seq: 1,
        digest: batchDigest(other),
        batch: other,
        replica: 0,
        signature: new Uint8Array(),
      }),
    )
    expect(backup.rejected.digest).toBe(2)
    const sent = backup.ready().messages.map((m) => m.message)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ type: 'prepare', seq: 1, digest: batchDigest(batch) })
  })

  it('with authenticateRequest, drops unsigned client requests and pre-prepares that carry one', () => {
    const g = new PbftGroup({ authenticateRequest: (r) => r.signature?.[0] === 1 })
    const good = { ...req('c1', 1), signature: Uint8Array.of(1) }
    g.request(1, req('c2', 1))
    expect(g.replicas[1]!.rejected.client).toBe(1)
    const bad = [req('c2', 1)]
    g.replicas[2]!.step(
      signed(g.signers[0]!, {
        type: 'prePrepare',
        view: 0,
        seq: 1,
        digest: batchDigest(bad),
        batch: bad,
        replica: 0,
        signature: new Uint8Array(),
      }),
    )
    expect(g.replicas[2]!.rejected.client).toBe(1)
    g.request(0, good)
    g.deliverAll()
    expect(g.seqs(2)).toEqual([1])
  })
})
