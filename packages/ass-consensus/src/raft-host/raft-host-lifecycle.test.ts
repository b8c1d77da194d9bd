import { isDwcpError, METRIC_NAMES, manualClock, seededRandom } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeKvCommand, KvStateMachine } from './kv-state-machine.js'
import { RaftHost } from './raft-host.js'
import { HostCluster } from './test-fixtures/host-cluster.js'
import { MemoryRaftNetwork } from './test-fixtures/memory-network.js'
import { MemoryRaftStorage } from './test-fixtures/memory-storage.js'

const THREE = ['a', 'b', 'c']
let cluster: HostCluster

afterEach(async () => {
  await cluster?.stopAll()
})

const code = (error: unknown): string | undefined => (isDwcpError(error) ? error.code : String(error))

describe('raft host lifecycle and failure paths', () => {
  it('refuses calls before start, a second start, and leaves no timer after stop', async () => {
    const clock = manualClock()
    const network = new MemoryRaftNetwork(clock)
    const host = new RaftHost({
      id: 'a',
      peers: ['a'],
      storage: new MemoryRaftStorage(),
      transport: network.transport('a'),
      stateMachine: new KvStateMachine(),
      clock,
      random: seededRandom(1),
    })
    expect(code(await host.propose(new Uint8Array()).catch((e) => e))).toBe('DWCP_ERR_NOT_STARTED')
    await host.start()
    expect(code(await host.start().catch((e) => e))).toBe('DWCP_ERR_ALREADY_STARTED')
    clock.advance(1000)
    // A single voter elects itself and commits alone.
    expect(host.role).toBe('leader')
    const done = host.propose(encodeKvCommand({ op: 'set', key: 'k', value: 1 }))
    clock.advance(0)
    expect((await done).index).toBeGreaterThan(0)
    await host.stop()
    expect(clock.pendingTimers).toBe(0)
    expect(code(await host.read().catch((e) => e))).toBe('DWCP_ERR_NOT_STARTED')
  })

  it('batch the proposals of one turn into one durable write', async () => {
    cluster = new HostCluster(THREE, { seed: 21 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    const storage = cluster.storages.get(leader.host.id)!
    const savesBefore = storage.saves
    const writes = Array.from({ length: 50 }, (_, i) => leader.set(`k/${i}`, i))
    await cluster.settle(Promise.all(writes))
    // One save for the 50 entries, then a few for commit-index updates: far fewer than one per proposal.
    expect(storage.saves - savesBefore).toBeLessThan(10)
  })

  it('observe commit latency in the consensus latency histogram', async () => {
    const metrics = memoryMetrics()
    cluster = new HostCluster(THREE, { seed: 22, metrics })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('k', 1))
    expect(metrics.series(METRIC_NAMES.consensusLatency).map((series) => series.labels)).toEqual([
      { protocol: 'raft' },
    ])
    const latencies = metrics.histogramValues(METRIC_NAMES.consensusLatency, { protocol: 'raft' })
    expect(latencies).toHaveLength(1)
    // Two 1 ms hops (append, answer) plus batching turns: a few milliseconds, in seconds.
    expect(latencies[0]).toBeGreaterThan(0)
    expect(latencies[0]).toBeLessThan(0.05)
  })

  it('drop corrupt messages with a typed error count and keep working', async () => {
    const metrics = memoryMetrics()
    cluster = new HostCluster(THREE, { seed: 23, metrics })
    let n = 0
    // Every fifth message gets a flipped byte past its header.
    cluster.network.tamper = (_from, _to, bytes) => {
      if (++n % 5 !== 0 || bytes.byteLength < 8) return bytes
      const copy = bytes.slice()
      copy[1] = 0xee
      return copy
    }
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('k', 'survives'))
    expect(await cluster.settle(leader.get('k'))).toBe('survives')
    const errors = metrics.series(METRIC_NAMES.errors)
    expect(errors.map((series) => series.labels)).toEqual([
      { component: 'raft', code: 'DWCP_ERR_FRAME_CORRUPT' },
    ])
    expect(errors[0]!.value).toBeGreaterThan(0)
  })

  it('reject pending calls with AbortedError on stop and on abort', async () => {
    cluster = new HostCluster(THREE, { seed: 24 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    for (const f of cluster.followers()) cluster.network.isolate(f.host.id)
    const controller = new AbortController()
    const aborted = leader.set('a', 1, { signal: controller.signal })
    const stopped = leader.set('b', 2)
    const read = leader.get('b')
    controller.abort()
    expect(code(await aborted.catch((e) => e))).toBe('DWCP_ERR_ABORTED')
    await cluster.stop(leader.host.id)
    expect(code(await stopped.catch((e) => e))).toBe('DWCP_ERR_ABORTED')
    expect(code(await read.catch((e) => e))).toBe('DWCP_ERR_ABORTED')
  })

  it('reject with NotLeaderError the writes and reads of a leader that lost its leadership', async () => {
    cluster = new HostCluster(THREE, { seed: 25 })
    await cluster.startAll()
    const old = await cluster.electLeader()
    cluster.network.isolate(old.host.id)
    const lostWrite = old.set('lost', 1)
    const lostRead = old.get('lost')
    lostWrite.catch(() => {})
    lostRead.catch(() => {})
    // The others elect a leader and fill the index the old leader used with their own entries.
    await cluster.until(() => cluster.running().some((h) => h !== old && h.host.role === 'leader'))
    const next = cluster.running().find((h) => h !== old && h.host.role === 'leader')!
    await cluster.settle(next.set('won', 1))
    await cluster.settle(next.set('won', 2))
    cluster.network.heal()
    expect(code(await cluster.settle(lostRead).catch((e) => e))).toBe('DWCP_ERR_NOT_LEADER')
    expect(code(await cluster.settle(lostWrite).catch((e) => e))).toBe('DWCP_ERR_NOT_LEADER')
    await cluster.converge()
    expect(old.peek('lost')).toBeUndefined()
    expect(old.peek('won')).toBe(2)
  })
})

describe('raft host on an isolated leader', () => {
  it('fail a read it cannot confirm once check-quorum makes it step down', async () => {
    cluster = new HostCluster(['a', 'b', 'c'], { seed: 26 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    // Stop the followers: nothing with a higher term ever reaches the leader, it only times out.
    for (const f of cluster.followers()) await cluster.stop(f.host.id)
    const read = leader.get('k')
    read.catch(() => {})
    await cluster.until(() => leader.host.role !== 'leader', 1000, 'step down')
    expect(code(await cluster.settle(read, 100).catch((e) => e))).toBe('DWCP_ERR_NOT_LEADER')
  })
})
