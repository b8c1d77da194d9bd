import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { isDwcpError, type UcxError } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { nativeStatus } from '../loader.js'
import { isPeerFailure } from './errors.js'
import { patternBytes, receiveMessages, sendMessages } from './stream-messages.js'
import { type UcxEndpoint, UcxWorker } from './ucx-worker.js'

const status = nativeStatus()
const required = process.env.DWCP_REQUIRE_NATIVE === '1'
const reason = status.available ? '' : status.reason
if (!status.available && required)
  throw new Error(`DWCP_REQUIRE_NATIVE=1 but the addon is unavailable: ${reason}`)
const describeNative = status.available ? describe : describe.skip
if (!status.available) console.warn(`UCX tests skipped: the native addon is unavailable (${reason})`)

// Loopback only, over UCX's tcp transport: the same UCP code path as verbs on RDMA hardware.
const options = { netDevices: 'lo', transports: 'tcp' }
const MiB = 1024 * 1024
const workers: UcxWorker[] = []
const children: ChildProcess[] = []

afterEach(() => {
  for (const worker of workers.splice(0)) worker.close()
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

async function connected(): Promise<{ client: UcxEndpoint; server: UcxEndpoint }> {
  const serverWorker = UcxWorker.create(options)
  const clientWorker = UcxWorker.create(options)
  workers.push(serverWorker, clientWorker)
  const { port } = serverWorker.listen('127.0.0.1', 0)
  const accepted = new Promise<UcxEndpoint>((resolve) => serverWorker.once('connection', resolve))
  const client = await clientWorker.connect('127.0.0.1', port)
  return { client, server: await accepted }
}

async function rejection(promise: Promise<unknown>): Promise<UcxError> {
  try {
    await promise
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_UCX')).toBe(true)
    return error as UcxError
  }
  throw new Error('expected a rejection')
}

describeNative('UCX data path', () => {
  it('moves 1 GiB in messages of every power of two from 4 KiB to 64 MiB with matching digests', async () => {
    const { client, server } = await connected()
    const sizes = Array.from({ length: 15 }, (_, i) => 4096 * 2 ** i) // 4 KiB … 64 MiB
    const plan = {
      totalBytes: 1024 * MiB,
      messageBytes: (sequence: number) => sizes[sequence % sizes.length] as number,
      window: 4,
    }
    const source = patternBytes(64 * MiB, 7)
    const [sent, received] = await Promise.all([
      sendMessages(client, source, plan),
      receiveMessages(server, plan),
    ])
    expect(received).toBe(sent)
  }, 120_000)

  it('moves 64 MiB in 4 KiB messages with a matching digest', async () => {
    const { client, server } = await connected()
    const plan = { totalBytes: 64 * MiB, messageBytes: 4096, window: 32 }
    const [sent, received] = await Promise.all([
      sendMessages(client, patternBytes(MiB, 3), plan),
      receiveMessages(server, plan),
    ])
    expect(received).toBe(sent)
  }, 60_000)

  it('keeps many concurrent endpoints apart', async () => {
    const serverWorker = UcxWorker.create(options)
    workers.push(serverWorker)
    const { port } = serverWorker.listen('127.0.0.1', 0)
    const accepted: UcxEndpoint[] = []
    const allAccepted = new Promise<void>((resolve) =>
      serverWorker.on('connection', (endpoint) => {
        accepted.push(endpoint)
        if (accepted.length === 32) resolve()
      }),
    )
    const clients: UcxEndpoint[] = []
    for (let w = 0; w < 4; w++) {
      const worker = UcxWorker.create(options)
      workers.push(worker)
      for (let e = 0; e < 8; e++) clients.push(await worker.connect('127.0.0.1', port))
    }
    await allAccepted
    // Each client sends a different pattern; the server must see, on each endpoint, exactly its client's bytes.
    const plan = { totalBytes: 4 * MiB, messageBytes: 64 * 1024, window: 8 }
    const digests = await Promise.all([
      ...clients.map((c, i) => sendMessages(c, patternBytes(MiB, 100 + i), plan)),
      ...accepted.map((s) => receiveMessages(s, plan)),
    ])
    const sent = digests.slice(0, 32).sort()
    const received = digests.slice(32).sort()
    expect(new Set(sent).size).toBe(32)
    expect(received).toEqual(sent)
  }, 60_000)

  it('reports the lanes it uses: tcp over lo, no RDMA here', async () => {
    const { client } = await connected()
    const lanes = client.lanes()
    expect(lanes.some((l) => l.transport === 'tcp' && l.device === 'lo')).toBe(true)
    expect(client.usesRdma()).toBe(false)
  })

  it('gives the other side a typed error when the peer closes mid-transfer', async () => {
    const { client, server } = await connected()
    const errors: UcxError[] = []
    client.on('error', (e) => errors.push(e))
    const sending = (async () => {
      for (let sequence = 0; ; sequence++) await client.send(patternBytes(MiB, sequence), sequence)
    })()
    await server.recv(new Uint8Array(MiB), 0)
    await server.close({ force: true })
    const error = await rejection(sending)
    expect(isPeerFailure(error)).toBe(true)
    await rejection(client.flush())
    expect(errors.length).toBeLessThanOrEqual(1)
  }, 30_000)

  it('survives a peer process killed with SIGKILL mid-transfer', async () => {
    const peer = fork(fileURLToPath(new URL('../../test-fixtures/ucx-peer.mjs', import.meta.url)), {
      stdio: 'pipe',
    })
    children.push(peer)
    const { port } = await new Promise<{ port: number }>((resolve) =>
      peer.once('message', (m) => resolve(m as { port: number })),
    )
    const worker = UcxWorker.create(options)
    workers.push(worker)
    const endpoint = await worker.connect('127.0.0.1', port)
    const failed = new Promise<UcxError>((resolve) => endpoint.on('error', resolve))
    peer.once('message', () => peer.kill('SIGKILL'))
    const sending = (async () => {
      const chunk = patternBytes(MiB, 9)
      for (let sequence = 0; ; sequence++) await endpoint.send(chunk, sequence >>> 0)
    })()
    const error = await rejection(sending)
    expect(isPeerFailure(error)).toBe(true)
    expect(isPeerFailure(await failed)).toBe(true)
    await endpoint.close()
  }, 30_000)

  it('fails to connect where nothing listens, with a typed error', async () => {
    const probe = UcxWorker.create(options)
    workers.push(probe)
    const { port } = probe.listen('127.0.0.1', 0)
    probe.close() // the port is free again
    const worker = UcxWorker.create(options)
    workers.push(worker)
    const error = await rejection(worker.connect('127.0.0.1', port))
    expect(error.data.statusName).toMatch(/^UCS_ERR_/)
  }, 30_000)

  it('refuses a message larger than the receive buffer with MESSAGE_TRUNCATED', async () => {
    const { client, server } = await connected()
    const receiving = server.recv(new Uint8Array(1024), 5)
    await client.send(new Uint8Array(4096), 5)
    const error = await rejection(receiving)
    expect(error.data.statusName).toBe('UCS_ERR_MESSAGE_TRUNCATED')
  })

  it('rejects pending receives when the worker closes, and refuses later use', async () => {
    const { server } = await connected()
    const pending = server.recv(new Uint8Array(16), 1)
    for (const worker of workers) worker.close()
    await rejection(pending)
    await rejection(server.recv(new Uint8Array(16), 1))
    expect(() => UcxWorker.create(options).close()).not.toThrow()
  })

  it('rejects bad tags and buffers with typed errors', async () => {
    const { client } = await connected()
    await expect(client.send(new Uint8Array(1), -1)).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_INVALID_ARGUMENT'),
    )
    await expect(client.send(new Uint8Array(1), 2 ** 32)).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_INVALID_ARGUMENT'),
    )
    await expect(client.recv('x' as unknown as Uint8Array)).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_INVALID_ARGUMENT'),
    )
  })
})
