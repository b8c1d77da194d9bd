import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConfigErrorAsync } from '../config/test-fixtures/expect-config-error.js'
import { createNode } from '../create-node.js'
import type { DwcpNode } from '../node.js'
import { type DwcpServer, startServer } from './start-server.js'
import { tempDir, writeConfig } from './test-fixtures/harness.js'
import { api, eventually } from './test-fixtures/mode-cluster.js'

const temp = tempDir('policy')
let server: DwcpServer
const clients: DwcpNode[] = []

beforeAll(async () => {
  const configPath = writeConfig(temp.dir, 'policy', 'resources:\n  network:\n    connections_max: 1\n')
  server = await startServer({ configPath, ports: { http: 0 } })
})

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.stop()))
  await server?.close()
  temp.remove()
})

/** A node outside the cluster that dials the server. */
async function client(id: string): Promise<DwcpNode> {
  const node = createNode('datacenter', { nodeId: id, clusterId: 'c1', metrics: false })
  clients.push(node)
  await node.start()
  return node
}

describe('the session policy of dwcp server', () => {
  it('closes a session beyond resources.network.connections_max as it opens, and lifts the cap live', async () => {
    const first = await client('x1')
    const kept = await first.connect(server.node.addresses()[0] as string)
    const second = await client('x2')
    const closed = await second.connect(server.node.addresses()[0] as string)
    await eventually('the second session closed', async () => (closed.closed ? true : undefined))
    expect(kept.closed).toBe(false)
    const report = (await api(server, '/v1/debug/transport?mode=none')).body
    expect(report.applied).toMatchObject({ connectionsMax: 1, sessionsRefused: 1 })
    expect((report.sessions as Array<{ peer: string }>).map((session) => session.peer)).toEqual(['x1'])

    const raised = await api(server, '/v1/config', { set: 'resources.network.connections_max=2' })
    expect(raised.body).toMatchObject({ applied: true })
    const again = await second.connect(server.node.addresses()[0] as string)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(again.closed).toBe(false)
  })

  it('applies transport.tcp_streams live to the sessions this node dials (in-memory sessions too)', async () => {
    await api(server, '/v1/config', { set: 'resources.network.connections_max=3' })
    const third = await client('x3')
    const dialled = await server.node.connect(third.addresses()[0] as string)
    expect(dialled.streams).toBe(server.config.transport.tcpStreams)
    const set = await api(server, '/v1/config', { set: 'transport.tcp_streams=2' })
    expect(set.body).toMatchObject({ key: 'transport.tcp_streams', value: 2, applied: true })
    expect(dialled.streams).toBe(2)
    const sessions = (await api(server, '/v1/debug/transport?mode=none')).body.sessions as Array<{
      peer: string
      streams: number
    }>
    expect(sessions.find((session) => session.peer === 'x3')?.streams).toBe(2)
  })

  it('refuses to start without cluster.members: the server keeps placements in the replicated state', async () => {
    const path = `${temp.dir}/alone.yaml`
    writeFileSync(path, 'mode: datacenter\nlogging:\n  level: error\n')
    await expectConfigErrorAsync(
      () => startServer({ configPath: path, ports: { http: 0 } }),
      'cluster.members',
      /required by dwcp server/,
    )
  })
})
