import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import type { DwcpNode } from '../node.js'

const dirs: string[] = []
const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function internetCluster(ids: string[], prefix: string, dataDir: string): DwcpNode[] {
  const members = ids.map((id) => ({ id, address: `memory://${prefix}-${id}` }))
  const built = ids.map((id) =>
    createNode('internet', {
      nodeId: id,
      listen: [`memory://${prefix}-${id}`],
      metrics: false,
      cluster: { members, dataDir: join(dataDir, id) },
    }),
  )
  nodes.push(...built)
  return built
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('cluster state by CRDT gossip (internet mode)', () => {
  it('converges writes made on different nodes over AMST channel sync, and keeps them in state.db', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dwcp-crdt-'))
    dirs.push(dataDir)
    const group = internetCluster(['a', 'b', 'c'], 'crdt1', dataDir)
    await Promise.all(group.map((n) => n.start()))
    expect(group[0]!.health().components.storage).toMatchObject({ status: 'up', implementation: 'sqlite' })
    await group[0]!.state.set('placement/vm-1', { host: 'a' })
    await group[1]!.state.set('config/streams', 8)
    await group[2]!.state.set('placement/vm-2', { host: 'c' })
    for (const node of group)
      await until(
        async () =>
          (await node.state.get('placement/vm-2')) !== undefined &&
          (await node.state.get('placement/vm-1')) !== undefined &&
          (await node.state.get('config/streams')) === 8,
      )
    await Promise.all(group.map((n) => n.stop()))
    // A new node object on b's data directory holds the state from state.db without hearing from anyone.
    const [again] = internetCluster(['b'], 'crdt1-again', dataDir)
    await again!.start()
    expect(await again!.state.get('placement/vm-1')).toEqual({ host: 'a' })
    expect(await again!.state.get('config/streams')).toBe(8)
  }, 20_000)
})
