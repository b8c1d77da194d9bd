import { isDwcpError } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { HostCluster } from './test-fixtures/host-cluster.js'

let cluster: HostCluster

afterEach(async () => {
  await cluster?.stopAll()
})

describe('raft host membership changes', () => {
  it('add a voter that catches up, then remove one; writes keep committing', async () => {
    cluster = new HostCluster(['a', 'b', 'c'], { seed: 31 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.set('before', 1))
    // A joining node starts with the voters it will have once added.
    const joiner = await cluster.start('d', ['a', 'b', 'c', 'd'])
    await cluster.settle(leader.host.addMember('d'))
    await cluster.converge()
    for (const h of cluster.running()) expect([...h.host.voters].sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(joiner.peek('before')).toBe(1)

    const removed = cluster.followers().find((h) => h !== joiner)!.host.id
    await cluster.settle(leader.host.removeMember(removed))
    await cluster.stop(removed)
    await cluster.settle(leader.set('after', 2))
    await cluster.converge()
    for (const h of cluster.running()) {
      expect(h.host.voters).not.toContain(removed)
      expect(h.peek('after')).toBe(2)
    }
  })

  it('resolve at once when the change is already in effect, and refuse on a follower', async () => {
    cluster = new HostCluster(['a', 'b', 'c'], { seed: 32 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.settle(leader.host.addMember('a'))
    await cluster.settle(leader.host.removeMember('zz'))
    const error = await cluster
      .followers()[0]!
      .host.addMember('d')
      .catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_NOT_LEADER')).toBe(true)
  })

  it('queue a second change until the first one committed', async () => {
    cluster = new HostCluster(['a', 'b', 'c'], { seed: 33 })
    await cluster.startAll()
    const leader = await cluster.electLeader()
    await cluster.start('d', ['a', 'b', 'c', 'd'])
    await cluster.start('e', ['a', 'b', 'c', 'd', 'e'])
    await cluster.settle(Promise.all([leader.host.addMember('d'), leader.host.addMember('e')]))
    expect([...leader.host.voters].sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
  })
})
