import { isDwcpError, NotLeaderError } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { runSeeds } from '../testing/run-seeds.js'
import { HostCluster } from './test-fixtures/host-cluster.js'

const THREE = ['a', 'b', 'c']
const FIVE = ['a', 'b', 'c', 'd', 'e']
let cluster: HostCluster

afterEach(async () => {
  await cluster?.stopAll()
})

describe('raft hosts on a deterministic network', () => {
  it('elect one leader that every host follows (3 hosts)', async () => {
    cluster = new HostCluster(THREE, { seed: 1 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    expect(cluster.running().filter((h) => h.host.role === 'leader')).toEqual([leader])
    // Election timeout is 150–300 ms with the default 15 ms tick; pre-vote adds a round trip.
    expect(cluster.clock.now()).toBeLessThan(1000)
  })

  it('apply a write on every host (5 hosts)', async () => {
    cluster = new HostCluster(FIVE, { seed: 2 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('vm/1', { host: 'a', memoryMb: 512 }))
    await cluster.converge()
    for (const h of cluster.running()) expect(h.peek('vm/1')).toEqual({ host: 'a', memoryMb: 512 })
  })

  it('reject a write on a follower with NotLeaderError naming the leader', async () => {
    cluster = new HostCluster(THREE, { seed: 3 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    const follower = cluster.followers()[0]!
    const error = await follower.set('k', 1).catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_NOT_LEADER')).toBe(true)
    expect((error as NotLeaderError).data.leader).toBe(leader.host.id)
    await expect(follower.get('k')).rejects.toThrow(NotLeaderError)
  })

  it('read a write back linearizably, and a deleted key as absent', async () => {
    cluster = new HostCluster(THREE, { seed: 4 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('k', 'v1'))
    await cluster.settle(leader.set('k', 'v2'))
    expect(await cluster.settle(leader.get('k'))).toBe('v2')
    await cluster.settle(leader.delete('k'))
    expect(await cluster.settle(leader.get('k'))).toBeUndefined()
    expect(await cluster.settle(leader.get('never-written'))).toBeUndefined()
  })

  it('elect a new leader that accepts writes once the leader stops (5 hosts)', async () => {
    cluster = new HostCluster(FIVE, { seed: 5 })
    await cluster.startAll()
    const first = await cluster.electLeader()
    await cluster.settle(first.set('before', 1))
    await cluster.stop(first.host.id)
    const second = await cluster.electLeader()
    expect(second.host.id).not.toBe(first.host.id)
    expect(second.host.term).toBeGreaterThan(0)
    await cluster.settle(second.set('after', 2))
    expect(await cluster.settle(second.get('before'))).toBe(1)
    await cluster.converge()
    for (const h of cluster.running()) expect([h.peek('before'), h.peek('after')]).toEqual([1, 2])
  })

  it('restart a stopped host from its storage; it catches up on what it missed', async () => {
    cluster = new HostCluster(THREE, { seed: 6 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('x', 1))
    await cluster.converge()
    const follower = cluster.followers()[0]!.host.id
    await cluster.stop(follower)
    for (let i = 0; i < 5; i++) await cluster.settle(leader.set(`missed/${i}`, i))
    const restarted = await cluster.start(follower)
    // Its state machine is rebuilt from the log it persisted (with the commit index it knew), before it hears
    // from anyone.
    await cluster.run(1)
    expect(restarted.peek('x')).toBe(1)
    await cluster.converge()
    for (let i = 0; i < 5; i++) expect(restarted.peek(`missed/${i}`)).toBe(i)
  })

  it('start a stopped replicator object again and replay into an emptied map', async () => {
    cluster = new HostCluster(THREE, { seed: 7 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('x', 1))
    await cluster.converge()
    const follower = cluster.followers()[0]!
    await follower.stop()
    const replayed: string[] = []
    follower.observe('', (change) => replayed.push(change.key))
    await follower.start()
    await cluster.run(1)
    expect(follower.peek('x')).toBe(1)
    expect(replayed).toEqual(['x'])
  })

  it('keep every host in agreement across seeds with leader crashes', async () => {
    await runSeeds({
      testFile: import.meta.url,
      testName: 'keep every host in agreement across seeds with leader crashes',
      seeds: 4,
      scenario: async (seed, random) => {
        cluster = new HostCluster(THREE, { seed })
        await cluster.startAll()
        for (let round = 0; round < 3; round++) {
          const leader = await cluster.electLeader()
          await cluster.settle(leader.set(`round/${round}`, round))
          const victim = random.next() < 0.5 ? leader.host.id : cluster.followers()[0]!.host.id
          await cluster.stop(victim)
          await cluster.run(Math.floor(random.next() * 50))
          await cluster.start(victim)
        }
        await cluster.electLeader()
        await cluster.converge()
        for (const h of cluster.running())
          expect([0, 1, 2].map((r) => h.peek(`round/${r}`))).toEqual([0, 1, 2])
        await cluster.stopAll()
      },
    })
  })
})
