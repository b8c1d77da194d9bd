import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDwcpError } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import type { DwcpNode } from '../node.js'

const dirs: string[] = []
const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function cluster(ids: string[], prefix: string): DwcpNode[] {
  const dataDir = mkdtempSync(join(tmpdir(), 'dwcp-cluster-'))
  dirs.push(dataDir)
  const members = ids.map((id) => ({ id, address: `memory://${prefix}-${id}` }))
  const built = ids.map((id) =>
    createNode('datacenter', {
      nodeId: id,
      listen: [`memory://${prefix}-${id}`],
      metrics: false,
      cluster: { members, dataDir: join(dataDir, id), electionTimeoutMs: 50 },
    }),
  )
  nodes.push(...built)
  return built
}

async function leaderOf(group: DwcpNode[], timeoutMs = 5000): Promise<DwcpNode> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const leader = group.find((n) => n.health().components.consensus?.details?.role === 'leader')
    if (leader) return leader
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('no leader elected')
}

describe('cluster state over Raft (datacenter mode)', () => {
  it('elects a leader over AMST sessions, replicates state linearizably and reports it in health', async () => {
    const group = cluster(['a', 'b', 'c'], 'rs1')
    await Promise.all(group.map((n) => n.start()))
    const leader = await leaderOf(group)
    await leader.state.set('placement/vm-1', { host: 'b' })
    expect(await leader.state.get('placement/vm-1')).toEqual({ host: 'b' })
    const committed = await leader.propose(new TextEncoder().encode('opaque command'))
    expect(committed.index).toBeGreaterThan(1)
    const follower = group.find((n) => n !== leader)!
    let error: unknown
    try {
      await follower.state.set('x', 1)
    } catch (e) {
      error = e
    }
    expect(isDwcpError(error, 'DWCP_ERR_NOT_LEADER')).toBe(true)
    const health = leader.health()
    expect(health.components.storage).toMatchObject({ status: 'up', implementation: 'sqlite' })
    expect(health.components.consensus).toMatchObject({ status: 'up', implementation: 'raft' })
    expect(
      leader.consensus
        .members()
        .map((m) => m.id)
        .sort(),
    ).toEqual(['a', 'b', 'c'])
  }, 20_000)

  it('keeps acknowledged state across a restart of the whole cluster (state.db)', async () => {
    const group = cluster(['a', 'b', 'c'], 'rs2')
    await Promise.all(group.map((n) => n.start()))
    const leader = await leaderOf(group)
    for (let i = 0; i < 20; i++) await leader.state.set(`k${i}`, i)
    await Promise.all(group.map((n) => n.stop()))
    await Promise.all(group.map((n) => n.start()))
    const again = await leaderOf(group)
    for (let i = 0; i < 20; i++) expect(await again.state.get(`k${i}`)).toBe(i)
  }, 20_000)

  it('refuses a member list without this node', () => {
    const members = [{ id: 'a', address: 'memory://a' }]
    expect(() =>
      createNode('datacenter', {
        nodeId: 'z',
        metrics: false,
        cluster: { members, dataDir: '/nonexistent' },
      }),
    ).toThrow(/must include this node/)
  })
})
