import { isDwcpError, METRIC_NAMES } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { HostCluster } from './test-fixtures/host-cluster.js'

const THREE = ['a', 'b', 'c']
let cluster: HostCluster | undefined

afterEach(async () => {
  await cluster?.stopAll()
  cluster = undefined
})

describe('RaftReplicator sync latency', () => {
  it('times each committed set and delete into the sync latency histogram, labelled mechanism="raft"', async () => {
    const metrics = memoryMetrics()
    cluster = new HostCluster(THREE, { seed: 31, metrics })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    // The network delays each message by 1 ms: a write needs an append and its answer, so at least 2 ms.
    const startedMs = cluster.clock.now()
    await cluster.settle(leader.set('placement/vm-1', { host: 'b' }))
    const setMs = cluster.clock.now() - startedMs
    await cluster.settle(leader.delete('placement/vm-1'))

    expect(metrics.series(METRIC_NAMES.assSyncLatency).map((series) => series.labels)).toEqual([
      { mechanism: 'raft' },
    ])
    const latencies = metrics.histogramValues(METRIC_NAMES.assSyncLatency, { mechanism: 'raft' })
    expect(latencies).toHaveLength(2)
    // In seconds, and no longer than the simulated time the write took to settle.
    expect(latencies[0]).toBeGreaterThanOrEqual(0.002)
    expect(latencies[0]).toBeLessThanOrEqual(setMs / 1000)
    expect(latencies[1]).toBeGreaterThanOrEqual(0.002)
  })

  it('does not time a write that was not replicated (refused by a follower)', async () => {
    const metrics = memoryMetrics()
    cluster = new HostCluster(THREE, { seed: 32, metrics })
    await cluster.startAll()
    await cluster.electLeader()
    const follower = cluster.followers()[0]!
    const error = await cluster.settle(follower.set('k', 1)).catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_NOT_LEADER')).toBe(true)
    expect(metrics.histogramCount(METRIC_NAMES.assSyncLatency, { mechanism: 'raft' })).toBe(0)
  })
})
