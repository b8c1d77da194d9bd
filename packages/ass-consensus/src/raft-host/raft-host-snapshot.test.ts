import type { StateChange } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { RAFT_WIRE_TYPES } from '../raft-wire/wire-limits.js'
import { HostCluster } from './test-fixtures/host-cluster.js'

const THREE = ['a', 'b', 'c']
let cluster: HostCluster

afterEach(async () => {
  await cluster?.stopAll()
})

async function writeMany(prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await cluster.settle(cluster.leader()!.set(`${prefix}/${i}`, i))
}

describe('raft host snapshots', () => {
  it('take a snapshot every snapshotEveryEntries applied entries and compact the stored log', async () => {
    cluster = new HostCluster(THREE, { seed: 11, host: { snapshotEveryEntries: 10 } })
    await cluster.startAll()
    await cluster.electLeader()
    await writeMany('k', 25)
    await cluster.converge()
    for (const h of cluster.running()) {
      const storage = cluster.storages.get(h.host.id)!
      expect(h.host.snapshotIndex).toBeGreaterThanOrEqual(20)
      expect(storage.snapshot?.index).toBe(h.host.snapshotIndex)
      expect(storage.entries[0]?.index ?? storage.snapshot!.index + 1).toBe(storage.snapshot!.index + 1)
    }
  })

  it('restart a host from its snapshot plus the entries after it', async () => {
    cluster = new HostCluster(THREE, { seed: 12, host: { snapshotEveryEntries: 10 } })
    await cluster.startAll()
    await cluster.electLeader()
    await writeMany('k', 15)
    await cluster.converge()
    const id = cluster.followers()[0]!.host.id
    await cluster.stop(id)
    const restarted = await cluster.start(id)
    // Restored from the snapshot at start, before any message: applied begins at the snapshot's index.
    expect(restarted.host.appliedIndex).toBe(cluster.storages.get(id)!.snapshot!.index)
    expect(restarted.peek('k/3')).toBe(3)
    await cluster.run(1)
    for (let i = 0; i < 15; i++) expect(restarted.peek(`k/${i}`)).toBe(i)
  })

  it('bring a follower that fell behind the leader snapshot up to date with InstallSnapshot', async () => {
    cluster = new HostCluster(THREE, { seed: 13, host: { snapshotEveryEntries: 10 } })
    await cluster.startAll()
    await cluster.electLeader()
    await writeMany('early', 3)
    await cluster.converge()
    const laggard = cluster.followers()[0]!.host.id
    await cluster.stop(laggard)
    await writeMany('late', 30)
    let snapshotsSent = 0
    cluster.network.tamper = (_from, to, bytes) => {
      if (to === laggard && bytes[1] === RAFT_WIRE_TYPES.snapshot) snapshotsSent++
      return bytes
    }
    const restarted = await cluster.start(laggard)
    const changes: StateChange[] = []
    restarted.observe('late/', (change) => changes.push(change))
    await cluster.converge()
    expect(snapshotsSent).toBeGreaterThan(0)
    for (let i = 0; i < 30; i++) expect(restarted.peek(`late/${i}`)).toBe(i)
    expect(restarted.peek('early/2')).toBe(2)
    // The restore told observers about every key it brought in.
    expect(new Set(changes.map((c) => c.key)).size).toBe(30)
    expect(cluster.storages.get(laggard)!.snapshot?.index).toBeGreaterThanOrEqual(30)
  })

  it('write a snapshot to storage in steps, one per turn, while writes go on', async () => {
    cluster = new HostCluster(THREE, { seed: 14, host: { snapshotEveryEntries: 10 }, compactionSteps: 5 })
    await cluster.startAll()
    await cluster.electLeader()
    await writeMany('k', 40)
    await cluster.converge()
    for (const h of cluster.running()) {
      const storage = cluster.storages.get(h.host.id)!
      expect(storage.compactionStepsRun).toBeGreaterThanOrEqual(5 * 3)
      expect(storage.snapshot?.index).toBeGreaterThanOrEqual(30)
      expect(storage.snapshot?.index).toBe(h.host.snapshotIndex)
    }
    // A host stopped while a snapshot is being written restarts from what the storage holds.
    const id = cluster.followers()[0]!.host.id
    const storage = cluster.storages.get(id)!
    await cluster.stop(id)
    const restarted = await cluster.start(id)
    expect(restarted.host.appliedIndex).toBe(storage.snapshot!.index)
    await cluster.run(1)
    for (let i = 0; i < 40; i++) expect(restarted.peek(`k/${i}`)).toBe(i)
  })
})
