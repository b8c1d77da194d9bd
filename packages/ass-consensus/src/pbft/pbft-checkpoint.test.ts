import { describe, expect, it } from 'vitest'
import { PbftGroup, req } from './test-fixtures/pbft-group.js'

describe('PBFT checkpoints and log truncation (§4.3)', () => {
  it('2f + 1 matching checkpoints make one stable, truncate the log and advance the low water mark', () => {
    const g = new PbftGroup({ checkpointIntervalSeqs: 4, watermarkWindowSeqs: 8 })
    for (let t = 1; t <= 10; t++) {
      g.request(0, req('c1', t))
      g.deliverAll()
    }
    for (const r of g.replicas) {
      expect(r.lastExecuted).toBe(10)
      expect(r.lowWatermark).toBe(8)
      // Only what lies above the stable checkpoint stays: slots 9–10 and their certificates and batches.
      expect(r.logSize).toBeLessThanOrEqual(6)
    }
  })

  it('the primary does not assign sequence numbers beyond the high water mark', () => {
    const g = new PbftGroup({ checkpointIntervalSeqs: 2, watermarkWindowSeqs: 4, maxBatchRequests: 1 })
    // Checkpoint messages are lost: nothing becomes stable, so h stays 0 and at most L = 4 slots are used.
    g.filter = (q) => q.message.type !== 'checkpoint'
    for (let c = 0; c < 8; c++) g.request(0, req(`c${c}`, 1))
    g.deliverAll()
    g.tick(3)
    expect(g.replicas[1]!.lastExecuted).toBe(4)
    expect(g.replicas[1]!.lowWatermark).toBe(0)
    // Once checkpoints flow again (they are retransmitted), the window moves and the rest is ordered.
    g.filter = () => true
    g.tick(20)
    expect(g.replicas[1]!.lastExecuted).toBe(8)
    expect(g.replicas[1]!.lowWatermark).toBeGreaterThanOrEqual(4)
  })

  it('a replica that missed a stable checkpoint catches up by state transfer', () => {
    const g = new PbftGroup({ checkpointIntervalSeqs: 2, watermarkWindowSeqs: 4, resendTicks: 2 })
    g.filter = (q) => q.to !== 3 && q.from !== 3
    for (let t = 1; t <= 6; t++) {
      g.request(0, req('c1', t))
      g.deliverAll()
    }
    expect(g.replicas[0]!.lowWatermark).toBe(6)
    expect(g.replicas[3]!.lastExecuted).toBe(0)
    g.filter = () => true
    // Traffic above its high water mark tells the lagging replica to fetch; the others answer with the state.
    g.request(0, req('c1', 7))
    g.deliverAll()
    g.tick(10)
    expect(g.replicas[3]!.lastExecuted).toBe(7)
    expect(g.replicas[3]!.stateTransfers).toBe(1)
    // Deduplication survived the transfer: the last request of c1 is not executed again.
    expect(g.executed[3]!.flatMap((b) => b.requests).map((r) => r.timestamp)).toEqual([7])
  })
})
