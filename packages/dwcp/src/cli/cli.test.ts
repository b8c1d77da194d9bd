import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSqliteRaftStorage } from '@dwcp/ass-consensus'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DwcpServer, startServer } from '../server/start-server.js'
import { requireBuiltCli, runCli, tempDir, writeConfig } from '../server/test-fixtures/harness.js'
import type { Trainer } from '../server/trainer.js'

const temp = tempDir('cli')
let server: DwcpServer
let configPath: string
let joiner: DwcpServer | undefined
let cli: (...args: string[]) => ReturnType<typeof runCli>

/** A stand-in for the PBA trainer (a real run takes about 20 s): prints epochs and writes a file. */
const fakeTrainer: Trainer = async (request, onLine) => {
  for (let epoch = 1; epoch <= 3; epoch++) onLine(`${request.model} epoch ${epoch}: train loss 0.04`)
  const path = join(request.outDirectory, `${request.model}.onnx`)
  const { mkdirSync } = await import('node:fs')
  mkdirSync(request.outDirectory, { recursive: true })
  writeFileSync(path, 'model')
  return [path]
}

beforeAll(async () => {
  requireBuiltCli()
  configPath = writeConfig(temp.dir, 'cli')
  server = await startServer({ configPath, ports: { http: 0 }, trainer: fakeTrainer })
  cli = (...args) => runCli([...args, '--server', server.httpUrl])
  const deadline = Date.now() + 5000
  while (server.node.consensus.leader() !== 'a' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10))
})

afterAll(async () => {
  await server?.close()
  await joiner?.close()
  temp.remove()
})

describe('dwcp CLI against a running server', () => {
  it('version and status print who the node is; --json prints the API answer', async () => {
    const version = await cli('version')
    expect(version).toMatchObject({ code: 0 })
    // The server runs on the Node the suite runs on (20, 22 or 24).
    expect(version.stdout.startsWith(`dwcp 0.1.0 (server on Node.js ${process.version})`)).toBe(true)
    const status = await cli('status')
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('Node:      a (cluster c1)')
    expect(status.stdout).toMatch(/^Mode: +datacenter/m)
    expect(status.stdout).toMatch(/Consensus: raft \(leader\), leader a/)
    expect(status.stdout).toContain(join(temp.dir, 'data-a', 'state.db'))
    const json = JSON.parse((await cli('status', '--json')).stdout)
    expect(json).toMatchObject({ nodeId: 'a', mode: 'datacenter', storage: { status: 'up' } })
  })

  it('config set validates, applies mode at runtime and writes the file; a bad key changes nothing', async () => {
    const before = readFileSync(configPath, 'utf8')
    const bad = await cli('config', 'set', 'resources.cpu.limt=32')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/resources\.cpu\.limt: unknown key.*did you mean resources\.cpu\.limit/)
    const badValue = await cli('config', 'set', 'resources.memory.limit=lots')
    expect(badValue.code).toBe(1)
    expect(badValue.stderr).toContain('resources.memory.limit')
    expect(readFileSync(configPath, 'utf8')).toBe(before)
    const good = await cli('config', 'set', 'mode=hybrid')
    expect(good.stdout).toContain(`Set mode = "hybrid": applied now, saved to ${configPath}`)
    expect(server.node.mode).toBe('hybrid')
    expect(readFileSync(configPath, 'utf8')).toMatch(/^mode: hybrid$/m)
    const later = await cli('config', 'set', 'compression.algorithm=zstd')
    expect(later.stdout).toContain('takes effect after a restart')
    expect(server.config.compression.algorithm).toBe('zstd')
    const refused = await cli('config', 'set', 'resources.memory.limit=64GB')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/resources\.memory\.limit: not supported by this release: .*MemoryMax=/)
    const live = await cli('config', 'set', 'resources.network.connections_max=64')
    expect(live.stdout).toContain('applied now')
    expect(server.config.resources.network.connectionsMax).toBe(64)
    await cli('config', 'set', 'mode=datacenter')
    expect(server.node.mode).toBe('datacenter')
  })

  it('stats compression, debug transport and debug latency report what the node has', async () => {
    const stats = await cli('stats', 'compression', '--detailed')
    expect(stats.stdout).toContain('Codec: lz4')
    expect(stats.stdout).toContain('Adaptive codec: not in use')
    const transport = await cli('debug', 'transport', '--mode=rdma')
    expect(transport.stdout).toContain('Transport: memory (up)')
    expect(transport.stdout).toMatch(/^Native addon: (available|unavailable)/m)
    expect(transport.stdout).toMatch(/^UCX: /m)
    expect(transport.stdout).toMatch(/^RDMA devices \(verbs\): /m)
    const latency = await cli('debug', 'latency', '--trace')
    expect(latency.code).toBe(0)
    expect(latency.stdout).toContain('no connected peers')
  })

  it('ml retrain streams the trainer progress; compression is refused with the reason', async () => {
    const run = await cli('ml', 'retrain', '--component', 'datacenter')
    expect(run.code).toBe(0)
    expect(run.stderr).toContain('datacenter epoch 3')
    expect(run.stdout).toContain(`Retrained the datacenter model`)
    expect(run.stdout).toContain(join(temp.dir, 'data-a', 'models', 'datacenter.onnx'))
    const refused = await cli('ml', 'retrain', '--component=compression')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('learns online')
  })

  it('backup, change, restore: the state is as at backup time', async () => {
    await server.node.state.set('k', 1)
    const output = join(temp.dir, 'backup.db')
    const backup = await cli('backup', 'state', '--output', output)
    expect(backup.code).toBe(0)
    expect(backup.stdout).toMatch(/Backup written: .*backup\.db \(\d+ bytes, .*verified\)/)
    expect(backup.stderr).toContain('copying state.db')
    expect((await cli('backup', 'state', '--output', output)).stderr).toContain('never overwrites')
    await server.node.state.set('k', 2)
    await server.node.state.set('added-later', true)
    const restore = await cli('restore', 'state', '--input', output)
    expect(restore.code).toBe(0)
    expect(restore.stdout).toContain(`State restored from ${output}`)
    expect(restore.stderr).toContain('stopping cluster state')
    await waitForLeader()
    expect(await server.node.state.get('k')).toBe(1)
    expect(await server.node.state.get('added-later')).toBeUndefined()
  })

  it('refuses a truncated backup and another node’s or cluster’s, leaving the state untouched', async () => {
    await server.node.state.set('k', 7)
    const good = join(temp.dir, 'good.db')
    expect((await cli('backup', 'state', '--output', good)).code).toBe(0)
    const truncated = join(temp.dir, 'truncated.db')
    writeFileSync(truncated, readFileSync(good))
    truncateSync(truncated, statSync(truncated).size - 4096)
    const cut = await cli('restore', 'state', '--input', truncated)
    expect(cut.code).toBe(1)
    expect(cut.stderr).toContain(`state store ${truncated} is corrupt: truncated`)
    expect(cut.stderr).toContain('DWCP_ERR_STATE_CORRUPT')
    for (const [nodeId, clusterId, reason] of [
      ['x', 'c1', 'belongs to node "x", not "a"'],
      ['a', 'c2', 'belongs to cluster "c2", not cluster "c1"'],
    ] as const) {
      const path = join(temp.dir, `foreign-${nodeId}-${clusterId}.db`)
      openSqliteRaftStorage({ path, nodeId, clusterId }).close()
      const refused = await cli('restore', 'state', '--input', path)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(reason)
      expect(refused.stderr).toContain('DWCP_ERR_STATE_FOREIGN')
    }
    expect(server.node.health().components.storage?.status).toBe('up')
    expect(await server.node.state.get('k')).toBe(7)
  })

  it('cluster join adds a member through the leader; rebalance plans, then moves what this node hosts by live migration', async () => {
    const follower = await startServer({
      configPath: writeConfig(temp.dir, 'cli', '', 'b'),
      ports: { http: 0 },
    })
    joiner = follower
    const joined = await cli(
      'cluster',
      'join',
      '--node-id',
      'b',
      '--address',
      'memory://cli-b',
      '--region',
      'r1',
    )
    expect(joined.code).toBe(0)
    expect(joined.stdout).toContain('Joined b at memory://cli-b (r1)')
    expect(joined.stdout).toContain('Members: a, b')
    const again = await cli('cluster', 'join', '--node-id=b', '--address=memory://cli-b')
    expect(again.stderr).toContain('already a member')
    await until(async () => follower.node.consensus.leader() === 'a')
    const viaFollower = await runCli([
      'cluster',
      'join',
      '--node-id=c',
      '--address=memory://cli-c',
      '--server',
      follower.httpUrl,
    ])
    expect(viaFollower.code).toBe(1)
    expect(viaFollower.stderr).toContain('not the leader; send the join to a (not_leader)')
    for (const vm of ['vm-1', 'vm-2', 'vm-3', 'vm-4']) {
      const image = join(temp.dir, `${vm}.img`)
      writeFileSync(image, Buffer.alloc(64 * 4096, vm))
      const registered = await cli('workload', 'register', '--id', vm, '--path', image)
      expect(registered.stdout).toContain(`Registered ${vm} (262144 bytes`)
    }
    await server.node.state.set('placement/vm-9', { host: 'gone' })
    const plan = await cli('rebalance', '--strategy=least-loaded', '--dry-run')
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('Load before: a=4 b=0 gone=1')
    expect(plan.stdout).toContain('vm-9: gone -> b (host-not-a-member)')
    expect(plan.stdout).toContain('Load after:  a=3 b=2')
    const execute = await cli('rebalance', '--strategy=least-loaded')
    expect(execute.code).toBe(0)
    const moved = /Moved (vm-\d) to b in \d+ ms \((\d+) rounds/.exec(execute.stdout)
    expect(moved, execute.stdout + execute.stderr).not.toBeNull()
    expect(execute.stdout).toContain('Skipped vm-9: its host gone is not a member')
    const movedId = moved![1]!
    expect(await server.node.state.get(`placement/${movedId}`)).toMatchObject({ host: 'b' })
    expect(readFileSync(join(temp.dir, 'data-b', 'workloads', `${movedId}.img`))).toEqual(
      Buffer.alloc(64 * 4096, movedId),
    )
    expect(await server.node.state.get('placement/vm-9')).toEqual({ host: 'gone' })
    expect((await cli('workload', 'list')).stdout).toContain(`${movedId} -> b`)
    const latency = await cli('debug', 'latency', '--trace')
    expect(latency.stdout).toMatch(/^b:\n {2}sample rtt/m)
  })

  it('shutdown drains the workloads to the other members, stops the node and closes the server', async () => {
    const run = await cli('shutdown', '--drain', '--timeout', '20s')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Node stopped after draining (limit 20000 ms)')
    expect(run.stdout.match(/Drained vm-\d to b/g)).toHaveLength(3)
    for (const vm of ['vm-1', 'vm-2', 'vm-3', 'vm-4'])
      expect(readFileSync(join(temp.dir, 'data-b', 'workloads', `${vm}.img`))).toEqual(
        Buffer.alloc(64 * 4096, vm),
      )
    await server.closed
    expect(server.node.health().started).toBe(false)
    expect((await cli('status')).stderr).toContain('cannot reach the dwcp server')
  })

  it('usage mistakes exit 2', async () => {
    expect((await runCli(['backup', 'state'])).code).toBe(2)
    expect((await runCli(['frobnicate'])).code).toBe(2)
  })
})

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function waitForLeader(): Promise<void> {
  const deadline = Date.now() + 5000
  while (server.node.consensus.leader() !== 'a' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10))
}
