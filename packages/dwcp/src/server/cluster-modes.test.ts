import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { DwcpServer } from './start-server.js'
import { api, eventually, type ModeCluster, modeCluster } from './test-fixtures/mode-cluster.js'

let cluster: ModeCluster | undefined
afterEach(async () => {
  await cluster?.close()
  cluster = undefined
})

/** The server's `/health`, once it answers 200. */
function healthy(server: DwcpServer): Promise<Record<string, unknown>> {
  return eventually(`${server.node.nodeId} /health 200`, async () => {
    const { status, body } = await api(server, '/health')
    return status === 200 ? body : undefined
  })
}

/** The TCP sessions `debug transport` reports. */
async function tcpSessions(server: DwcpServer): Promise<Array<{ peer: string; streams: number }>> {
  const { body } = await api(server, '/v1/debug/transport?mode=none')
  return (body.sessions as Array<{ peer: string; scheme: string; streams: number }>).filter(
    (session) => session.scheme === 'tcp',
  )
}

describe('dwcp server from production.yaml + a mode file, on loopback with mutual TLS', () => {
  it('internet: three of four members run CRDT state and PBFT; config set transport.tcp_streams changes live sessions', async () => {
    const members = ['node-1', 'node-2', 'node-3', 'node-4']
    // node-4 stays down: PBFT with n = 4 tolerates one faulty replica, so three commit.
    cluster = await modeCluster({
      modeFile: 'internet.yaml',
      members,
      start: members.slice(0, 3),
      pbft: true,
    })
    const servers = members.slice(0, 3).map((id) => cluster?.servers.get(id) as DwcpServer)
    for (const server of servers) {
      const health = await healthy(server)
      const components = health.components as Record<string, { status: string; implementation?: string }>
      expect(health.mode).toBe('internet')
      expect(components.replicator).toMatchObject({ status: 'up', implementation: 'eventual' })
      expect(components.consensus).toMatchObject({ status: 'up', implementation: 'pbft' })
      expect(components.transport?.status).toBe('up')
    }
    const [first, second, third] = servers as [DwcpServer, DwcpServer, DwcpServer]
    // CRDT: a write on one member reaches the others by gossip.
    await first.node.state.set('test/written-on', 'node-1')
    for (const server of [second, third])
      await eventually('the write to converge', async () =>
        (await server.node.state.get('test/written-on')) === 'node-1' ? true : undefined,
      )
    // PBFT: a command commits with three of the four replicas.
    const committed = await second.node.propose(new TextEncoder().encode('three of four'))
    expect(committed.index).toBeGreaterThan(0)

    // Every member dials the others, so every TCP session grows to internet.yaml's tcp_streams (the dialling
    // side opens the streams one by one; the accepting side counts them as they join).
    for (const server of servers)
      await eventually('sessions to both other members, at 8 streams each', async () => {
        const open = await tcpSessions(server)
        const peers = new Set(open.map((session) => session.peer))
        return peers.size >= 2 && open.every((session) => session.streams === 8) ? open : undefined
      })
    for (const server of servers) {
      const { status, body } = await api(server, '/v1/config', { set: 'transport.tcp_streams=4' })
      expect(status).toBe(200)
      expect(body).toMatchObject({
        key: 'transport.tcp_streams',
        value: 4,
        applied: true,
        restartRequired: false,
      })
      // Written back to the file holding the key: the copy of internet.yaml, not the host file.
      expect(body.persistedTo).toMatch(/internet\.yaml$/)
      expect(readFileSync(body.persistedTo as string, 'utf8')).toMatch(
        /^ {2}tcp_streams: 4 # Fewer streams$/m,
      )
    }
    for (const server of servers)
      await eventually('every session at 4 streams', async () => {
        const sessions = await tcpSessions(server)
        return sessions.length > 0 && sessions.every((session) => session.streams === 4)
          ? sessions
          : undefined
      })
    // Above what the running transport allows (transport.streams at start, 8), the change is refused.
    const refused = await api(first, '/v1/config', { set: 'transport.tcp_streams=16' })
    expect(refused.status).toBe(400)
    expect(refused.body.message).toMatch(
      /cannot be applied live: the running transport allows at most 8 streams/,
    )
    expect(first.config.transport.tcpStreams).toBe(4)
  }, 120_000)

  it('hybrid: three members run Raft in their site', async () => {
    const members = ['node-1', 'node-2', 'node-3']
    cluster = await modeCluster({ modeFile: 'hybrid.yaml', members })
    const servers = members.map((id) => cluster?.servers.get(id) as DwcpServer)
    const leader = await eventually('a Raft leader', async () =>
      servers.find((server) => server.node.consensus.leader() === server.node.nodeId),
    )
    for (const server of servers) {
      const health = await healthy(server)
      expect(health.mode).toBe('hybrid')
      const components = health.components as Record<string, { status: string; implementation?: string }>
      expect(components.replicator).toMatchObject({ status: 'up', implementation: 'linearizable' })
      expect(components.consensus).toMatchObject({ status: 'up', implementation: 'raft' })
    }
    await leader.node.state.set('test/site', 'test-site')
    const { body } = await api(leader, '/v1/status')
    expect((body.consensus as { members: Array<{ region?: string }> }).members.map((m) => m.region)).toEqual([
      'test-site',
      'test-site',
      'test-site',
    ])
  }, 120_000)

  it('datacenter: a one-member Raft cluster, the host file removing the RDMA device with null', async () => {
    cluster = await modeCluster({
      modeFile: 'datacenter.yaml',
      members: ['node-1'],
      extra: 'transport:\n  rdma_device: null\nconsensus:\n  replica_count: 1\n',
    })
    const server = cluster.servers.get('node-1') as DwcpServer
    await eventually('a Raft leader', async () =>
      server.node.consensus.leader() === 'node-1' ? true : undefined,
    )
    const health = await healthy(server)
    expect(health.mode).toBe('datacenter')
    expect(server.config.transport).toMatchObject({
      streams: 512,
      tcpStreams: 512,
      congestionAlgorithm: 'cubic',
    })
    expect(server.config.transport.rdmaDevice).toBeUndefined()
    expect(server.node.codec.name).toMatch(/lz4/)
  }, 120_000)
})
