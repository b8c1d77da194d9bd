import { createHash, randomBytes } from 'node:crypto'
import { MemoryNetwork, memoryTransport } from '@dwcp/amst'
import { bytesSink, bytesSource, isDwcpError, type Mode } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import type { DwcpNode } from './node.js'

const nodes: DwcpNode[] = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

function pairOn(mode: Mode): { a: DwcpNode; b: DwcpNode } {
  const network = new MemoryNetwork()
  const a = createNode(mode, { nodeId: 'a', transport: memoryTransport({ network }), listen: ['memory://a'] })
  const b = createNode(mode, { nodeId: 'b', transport: memoryTransport({ network }), listen: ['memory://b'] })
  nodes.push(a, b)
  return { a, b }
}

describe.each(['datacenter', 'internet'] as const)('createNode(%s)', (mode) => {
  it('starts, reports its mode and health, exchanges a message and a 64 MiB transfer, and stops', async () => {
    const { a, b } = pairOn(mode)
    await a.start()
    await b.start()
    expect(a.mode).toBe(mode)
    const health = a.health()
    // Parts it was not asked to run are absent, and a node without them is healthy.
    expect(health.status).toBe('ok')
    expect(health.started).toBe(true)
    expect(health.mode).toBe(mode)
    expect(health.modeForced).toBe(true)
    expect(health.components.transport).toMatchObject({ status: 'up', implementation: 'memory' })
    expect(health.components.consensus?.status).toBe('absent')
    expect(health.components.replicator?.status).toBe('absent')
    expect(health.components.storage?.status).toBe('absent')
    const codecByMode = { datacenter: /^lz4/, internet: /^adaptive up to zstd-max/, hybrid: /^per path/ }
    expect(health.components.codec?.status).toBe('up')
    expect(health.components.codec?.implementation).toMatch(codecByMode[mode])
    expect(health.components.predictor).toMatchObject({ status: 'up', implementation: `onnx-${mode}` })

    const message = new Promise<[string, string, string]>((resolve) =>
      b.on('message', (peer, channel, bytes) => resolve([peer, channel, new TextDecoder().decode(bytes)])),
    )
    const session = await a.connect('memory://b')
    expect(session.remote).toMatchObject({ nodeId: 'b', mode })
    await a.send('b', 'control', new TextEncoder().encode('hello from a'))
    expect(await message).toEqual(['a', 'control', 'hello from a'])

    const payload = randomBytes(64 * 1024 * 1024)
    const expectedDigest = `sha256:${createHash('sha256').update(payload).digest('hex')}`
    const sink = bytesSink(payload.byteLength)
    const received = new Promise<string>((resolve, reject) =>
      b.on('transfer', (peer, incoming) => {
        expect(peer).toBe('a')
        incoming.accept(sink).then((r) => resolve(r.digest), reject)
      }),
    )
    const sent = await a.transfer('b', bytesSource(payload), { metadata: { workload: 'vm-1' } })
    expect(sent.digest).toBe(expectedDigest)
    // Random bytes do not compress: their frames take a little more than the payload.
    expect(sent.wireBytes).toBeGreaterThanOrEqual(payload.byteLength)
    expect(await received).toBe(expectedDigest)
    expect(Buffer.from(sink.bytes).equals(payload)).toBe(true)

    await a.stop()
    await b.stop()
    expect(a.health()).toMatchObject({ status: 'down', started: false })
    expect(session.closed).toBe(true)
  }, 60_000)
})

describe('createNode', () => {
  it('rejects an unknown mode and malformed ids with typed errors', () => {
    expect(() => createNode('lan' as Mode)).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
    expect(() => createNode('internet', { nodeId: '' })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
    expect(() => createNode('internet', { clusterId: 'a b' })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
  })

  it('says which parts are absent instead of pretending', async () => {
    const { a } = pairOn('datacenter')
    await a.start()
    await expect(a.propose(new Uint8Array([1]))).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_COMPONENT_ABSENT'),
    )
    expect(() => a.state).toThrow(expect.objectContaining({ code: 'DWCP_ERR_COMPONENT_ABSENT' }))
    await expect(a.backup('state.db.bak')).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_COMPONENT_ABSENT'),
    )
  })

  it('rejects a transfer when the receiving node has no receiver', async () => {
    const { a, b } = pairOn('internet')
    await a.start()
    await b.start()
    await a.connect('memory://b')
    await expect(a.transfer('b', bytesSource(new Uint8Array(10)))).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_TRANSFER_REJECTED'),
    )
  })

  it('refuses work before start and to unknown peers', async () => {
    const { a } = pairOn('internet')
    await expect(a.connect('memory://b')).rejects.toSatisfy((e) => isDwcpError(e, 'DWCP_ERR_NOT_STARTED'))
    await a.start()
    await expect(a.send('nobody', 'x', new Uint8Array(1))).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_PEER_UNREACHABLE'),
    )
  })

  it('forces and releases the mode, counting transitions in the metrics', async () => {
    const { a } = pairOn('datacenter')
    const transitions: string[] = []
    a.on('mode', (t) => transitions.push(`${t.from}->${t.to}:${t.cause}`))
    await a.start()
    a.forceMode('internet')
    a.releaseMode() // nothing measured yet: back to the initial mode
    expect(transitions).toEqual(['datacenter->internet:forced', 'internet->datacenter:released'])
    const text = await (a.metrics as unknown as { render(): Promise<string> }).render()
    expect(text).toMatch(
      /dwcp_amst_mode_transitions_total\{[^}]*from="datacenter"[^}]*to="internet"[^}]*\} 1/,
    )
    expect(text).toMatch(/dwcp_node_mode\{[^}]*mode="datacenter"[^}]*\} 1/)
  })
})

describe('createNode over TCP', () => {
  it('picks TCP from tcp:// listen addresses and needs an explicit TLS choice', async () => {
    expect(() => createNode('internet', { listen: ['tcp://127.0.0.1:0'] })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }),
    )
    const a = createNode('internet', { nodeId: 'tcp-a', listen: ['tcp://127.0.0.1:0'], tls: false })
    const b = createNode('internet', { nodeId: 'tcp-b', listen: ['tcp://127.0.0.1:0'], tls: false })
    nodes.push(a, b)
    await a.start()
    await b.start()
    expect(a.health().components.transport).toMatchObject({ status: 'up', implementation: 'tcp' })
    const received = new Promise<string>((resolve, reject) =>
      b.on('transfer', (_peer, incoming) =>
        incoming.accept(bytesSink(incoming.sizeBytes)).then((r) => resolve(r.digest), reject),
      ),
    )
    await a.connect(b.addresses()[0] as string)
    const payload = randomBytes(16 * 1024 * 1024)
    const sent = await a.transfer('tcp-b', bytesSource(payload))
    expect(await received).toBe(sent.digest)
  }, 60_000)
})
