import { readdirSync } from 'node:fs'
import type { JsonValue } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import type { DwcpNode } from '../node.js'
import { type ControlRequest, controlFor } from './control-channel.js'
import { migrate } from './migrate.js'
import { placementKey, registerWorkload } from './placement.js'
import { makeWorkload, startCluster, type TestCluster, waitFor } from './test-fixtures/migration-cluster.js'

let cluster: TestCluster | undefined
const outsiders: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(outsiders.splice(0).map((n) => n.stop()))
  await cluster?.stop()
  cluster = undefined
})

const begin = (migrationId: string, workloadId: string, sizeBytes: number) => ({
  type: 'begin',
  migrationId,
  workloadId,
  sizeBytes,
  level: 3,
  pathClass: 'datacenter',
})
const ask = (from: DwcpNode, to: string, body: ControlRequest) =>
  controlFor(from).request(to, body, { timeoutMs: 10_000 })

function leaderOf(c: TestCluster): DwcpNode {
  const leader = c.members.find((m) => m.node.health().components.consensus?.details?.role === 'leader')
  if (!leader) throw new Error('no leader')
  return leader.node
}

describe('what a peer may ask of a migration target', { timeout: 60_000 }, () => {
  it('refuses a non-member, a reused id, a second migration of a workload, too many at once and an image that does not fit, leaving no file behind', async () => {
    cluster = await startCluster('bounds')
    const [a, b] = cluster.members as [TestCluster['members'][0], TestCluster['members'][0]]
    const outsider = createNode('datacenter', { nodeId: 'x', listen: ['memory://bounds-x'], metrics: false })
    outsiders.push(outsider)
    await outsider.start()
    await outsider.connect(b.node.addresses()[0] as string)
    await expect(ask(outsider, 'b', begin('m0', 'w0', 4096))).rejects.toThrow(/not a member/)

    await ask(a.node, 'b', begin('m1', 'w1', 1 << 20))
    await expect(ask(a.node, 'b', begin('m1', 'w9', 1 << 20))).rejects.toThrow(/m1 is already in progress/)
    await expect(ask(a.node, 'b', begin('m2', 'w1', 1 << 20))).rejects.toThrow(/w1 is already in progress/)
    for (const n of [2, 3, 4]) await ask(a.node, 'b', begin(`m${n}`, `w${n}`, 1 << 20))
    await expect(ask(a.node, 'b', begin('m5', 'w5', 1 << 20))).rejects.toThrow(/incoming migrations is full/)
    expect(b.receiver.inProgress).toBe(4)
    expect(readdirSync(b.dir)).toHaveLength(4)
    for (const n of [1, 2, 3, 4]) await ask(a.node, 'b', { type: 'abort', migrationId: `m${n}` })
    expect(readdirSync(b.dir)).toEqual([])

    // A petabyte image is refused before any file is made (a sparse file of any size would be created).
    await expect(ask(a.node, 'b', begin('m6', 'w6', 2 ** 50))).rejects.toThrow(/does not fit/)
    expect(readdirSync(b.dir)).toEqual([])
    expect(b.receiver.inProgress).toBe(0)
  })
})

describe('placement writes forwarded to the leader', { timeout: 60_000 }, () => {
  it('let a member place a new workload on itself and move only what it hosts', async () => {
    cluster = await startCluster('placement-auth')
    const leader = leaderOf(cluster)
    const [host, other] = cluster.members.map((m) => m.node).filter((n) => n !== leader) as [
      DwcpNode,
      DwcpNode,
    ]
    await registerWorkload(host, { id: 'vm-1', sizeBytes: 4096 })
    await waitFor(() => cluster?.members.every((m) => m.book.get('vm-1')?.host === host.nodeId) ?? false)
    const placed = (h: string) => ({ host: h, sizeBytes: 4096, updatedAt: 1 })
    const write = (from: DwcpNode, key: string, value: JsonValue) =>
      ask(from, leader.nodeId, { type: 'placement-set', key, value })

    await expect(write(other, placementKey('vm-1'), placed(other.nodeId))).rejects.toThrow(
      new RegExp(`hosted by ${host.nodeId}: only its host may move it`),
    )
    await expect(write(other, placementKey('vm-1'), null)).rejects.toThrow(/only its host/)
    await expect(write(other, placementKey('vm-2'), placed(host.nodeId))).rejects.toThrow(/only on itself/)
    await expect(write(other, 'config/anything', placed(other.nodeId))).rejects.toThrow(/not a placement key/)
    await expect(write(other, placementKey('vm-3'), { host: 7 })).rejects.toThrow(/a placement is/)
    expect(await leader.state.get(placementKey('vm-1'))).toMatchObject({ host: host.nodeId })
    expect(await leader.state.get(placementKey('vm-2'))).toBeUndefined()

    // What is allowed: a new workload on the writer itself, the host moving its own, and the same write again.
    await write(other, placementKey('vm-2'), placed(other.nodeId))
    await write(host, placementKey('vm-1'), placed(other.nodeId))
    await write(host, placementKey('vm-1'), placed(other.nodeId))
    expect(await leader.state.get(placementKey('vm-1'))).toMatchObject({ host: other.nodeId })
    expect(await leader.state.get(placementKey('vm-2'))).toMatchObject({ host: other.nodeId })
  })
})

describe('a migration of a workload this node does not host', { timeout: 60_000 }, () => {
  it('is refused before anything is sent, on the leader and on a follower', async () => {
    cluster = await startCluster('not-host')
    const leader = leaderOf(cluster)
    const [host, follower] = cluster.members.filter((m) => m.node !== leader) as [
      TestCluster['members'][0],
      TestCluster['members'][0],
    ]
    if (!host || !follower) throw new Error('members expected')
    await registerWorkload(host.node, { id: 'vm-1', sizeBytes: 1 << 20 })
    const leaderMember = cluster.members.find((m) => m.node === leader)
    for (const [from, to] of [
      [follower, host],
      [leaderMember, host],
    ] as const) {
      if (!from) throw new Error('member expected')
      const copy = await makeWorkload(from.dir, 'vm-1', 1 << 20)
      try {
        await expect(migrate({ node: from.node, workload: copy, target: to.node.nodeId })).rejects.toThrow(
          new RegExp(`placed on ${host.node.nodeId}|hosted by ${host.node.nodeId}`),
        )
      } finally {
        copy.close()
      }
      expect(readdirSync(to.dir).filter((f) => f.includes('.partial-'))).toEqual([])
    }
    expect(await leader.state.get(placementKey('vm-1'))).toMatchObject({ host: host.node.nodeId })
  })
})
