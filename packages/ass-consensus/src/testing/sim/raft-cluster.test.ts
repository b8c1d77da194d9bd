import { seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { RaftCluster } from './raft-cluster.js'

const ids = ['n1', 'n2', 'n3']

function settled(seed: number): RaftCluster {
  const cluster = new RaftCluster({ ids, random: seededRandom(seed) })
  cluster.run(40)
  return cluster
}

describe('RaftCluster', () => {
  it('elects one leader and applies proposals on every node over a clean network', () => {
    const cluster = settled(1)
    expect(cluster.leader()).toBeDefined()
    for (const v of ['a', 'b', 'c']) expect(cluster.propose(v)).toBe(true)
    cluster.run(10)
    for (const id of ids) expect(cluster.appliedValues(id)).toEqual(['a', 'b', 'c'])
  })

  it('is deterministic: the same seed gives the same history', () => {
    const history = (seed: number) => {
      const cluster = new RaftCluster({
        ids,
        random: seededRandom(seed),
        faults: { delayTicksMax: 4, dropRate: 0.1, duplicateRate: 0.05 },
      })
      for (let t = 0; t < 200; t++) {
        cluster.propose(`v${t}`)
        cluster.tick()
      }
      return cluster.describe()
    }
    expect(history(9)).toBe(history(9))
  })

  it('elects a new leader after the leader crashes, and the restarted node catches up from its durable log', () => {
    const cluster = settled(2)
    const old = cluster.leader()!
    cluster.propose('before')
    cluster.run(5)
    cluster.crash(old.id)
    expect(cluster.node(old.id)).toBeUndefined()
    cluster.run(60)
    const next = cluster.leader()!
    expect(next.id).not.toBe(old.id)
    expect(cluster.propose('after')).toBe(true)
    cluster.run(5)
    const persistedLast = old.lastIndex
    cluster.restart(old.id)
    // Its log survived the crash at once; what it applies waits for a leader to tell it the commit index,
    // which (as in the Raft paper) is volatile: a commit-only change of the hard state is not synced alone.
    expect(cluster.node(old.id)!.lastIndex).toBe(persistedLast)
    cluster.run(20)
    expect(cluster.appliedValues(old.id)).toEqual(['before', 'after'])
  })

  it('loses what a crash in the middle of handling ready() had not persisted, and stays safe', () => {
    const cluster = new RaftCluster({ ids, random: seededRandom(3), crashInReadyRate: 0.05 })
    for (let t = 0; t < 400; t++) {
      for (const id of cluster.crashedIds()) cluster.restart(id)
      cluster.propose(`v${t}`)
      cluster.tick()
    }
    cluster.setCrashInReadyRate(0)
    for (const id of cluster.crashedIds()) cluster.restart(id)
    cluster.run(100)
    expect(cluster.leader()).toBeDefined()
    expect(cluster.invariants.committedCount).toBeGreaterThan(0)
  })

  it('a minority partition cannot commit; after heal it converges on the majority', () => {
    const cluster = settled(4)
    const leader = cluster.leader()!
    const others = ids.filter((id) => id !== leader.id)
    cluster.network.partition([[leader.id], others])
    cluster.propose('lost')
    cluster.run(80)
    const majorityLeader = cluster.leader()!
    expect(majorityLeader.id).not.toBe(leader.id)
    expect(cluster.propose('kept')).toBe(true)
    cluster.run(10)
    cluster.network.heal()
    cluster.run(40)
    for (const id of ids) expect(cluster.appliedValues(id)).toEqual(['kept'])
  })
})
