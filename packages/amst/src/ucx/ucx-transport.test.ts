import { createHash } from 'node:crypto'
import { isDwcpError, type Session, type Transport } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { patternSource } from '../compliance/pattern-source.js'
import {
  complianceComponents,
  complianceIdentity,
  fromFactory,
  transportComplianceSuite,
} from '../compliance/transport-suite.js'
import { helloBytes } from '../tcp/tcp-handshake.js'
import { encodeFrameHeader } from '../wire/frame-codec.js'
import { FrameType } from '../wire/frame-layout.js'
import { HandshakeReader } from '../wire/handshake-codec.js'
import { MAX_HANDSHAKE_MESSAGE_BYTES } from './ucx-handshake.js'
import type { UcxEndpointHandle, UcxWorkerHandle } from './ucx-native.js'
import { HANDSHAKE_TAG, headerTag } from './ucx-tags.js'
import { type UcxTransportInit, ucxTransport } from './ucx-transport.js'

// UCX warns, when a worker is destroyed, about messages that arrived after their session closed (the peer's
// close frame, chunks of an aborted transfer). That is expected in these tests; keep the output readable.
process.env.UCX_LOG_LEVEL ??= 'error'

const native = await import('@dwcp/rdma-native').catch((error: Error) => error)
const status =
  native instanceof Error ? { available: false as const, reason: native.message } : native.nativeStatus()
if (!status.available && process.env.DWCP_REQUIRE_NATIVE === '1')
  throw new Error(`DWCP_REQUIRE_NATIVE=1 but the native addon is unavailable: ${status.reason}`)
if (!status.available)
  console.warn(`UCX transport tests skipped: the native addon is unavailable (${status.reason})`)
const describeNative = status.available ? describe : describe.skip

const LOOPBACK: UcxTransportInit = { transports: 'tcp', netDevices: 'lo' }
const MiB = 1024 * 1024

if (status.available) {
  transportComplianceSuite('ucx (tcp over lo)', {
    create: fromFactory(ucxTransport(LOOPBACK)),
    listenAddress: () => 'ucx://127.0.0.1:0',
    unreachableAddress: () => 'ucx://127.0.0.1:1',
  })
}

const transports: Transport[] = []
const workers: UcxWorkerHandle[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
  for (const worker of workers.splice(0)) worker.close()
})

async function transport(name: string, init: UcxTransportInit = LOOPBACK): Promise<Transport> {
  const t = ucxTransport(init)(complianceComponents(complianceIdentity(name)))
  transports.push(t)
  await t.start()
  return t
}

async function connected(
  init?: UcxTransportInit,
): Promise<{ a: Transport; b: Transport; client: Session; server: Session }> {
  const a = await transport('node-a', init)
  const b = await transport('node-b', init)
  const address = await b.listen('ucx://127.0.0.1:0')
  const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
  const client = await a.dial(address)
  return { a, b, client, server: await accepted }
}

/** A bare endpoint to the listener that has passed the handshake: it can then send anything on any lane. */
async function rawSession(address: string): Promise<UcxEndpointHandle> {
  const { UcxWorker } = native as typeof import('@dwcp/rdma-native')
  const worker = UcxWorker.create(LOOPBACK)
  workers.push(worker)
  const port = Number(address.slice(address.lastIndexOf(':') + 1))
  const endpoint = await worker.connect('127.0.0.1', port)
  const answer = new Uint8Array(MAX_HANDSHAKE_MESSAGE_BYTES)
  const welcome = endpoint.recv(answer, HANDSHAKE_TAG)
  await endpoint.send(
    helloBytes({ identity: complianceIdentity('raw'), sessionId: 'raw-session-1', streamIndex: 0 }),
    HANDSHAKE_TAG,
  )
  const { lengthBytes } = await welcome
  expect(new HandshakeReader().push(answer.subarray(0, lengthBytes))?.message.kind).toBe(2)
  return endpoint
}

function closeError(session: Session): Promise<Error | undefined> {
  return new Promise((resolve) => session.on('close', resolve))
}

describeNative('ucx transport over loopback', () => {
  it('moves 256 MiB over 4 lanes with a matching digest', async () => {
    const { client, server } = await connected()
    client.streams = 4
    expect(client.streams).toBe(4)
    const sizeBytes = 256 * MiB
    const hash = createHash('sha256')
    let writtenBytes = 0
    const received = new Promise<{ digest: string }>((resolve, reject) =>
      server.on('transfer', (incoming) => {
        incoming
          .accept({
            write: async (offsetBytes, bytes) => {
              expect(offsetBytes).toBe(writtenBytes)
              hash.update(bytes)
              writtenBytes += bytes.byteLength
            },
          })
          .then(resolve, reject)
      }),
    )
    const sent = await client.transfer(patternSource(sizeBytes), { chunkBytes: 1 * MiB })
    const got = await received
    expect(got.digest).toBe(sent.digest)
    expect(`sha256:${hash.digest('hex')}`).toBe(sent.digest)
    expect(writtenBytes).toBe(sizeBytes)
  }, 120_000)

  it('reports no RDMA and tcp lanes on loopback, in the sample and in health', async () => {
    const { a, client } = await connected()
    expect(client.sample().rdma).toBe(false)
    const health = a.health()
    expect(health).toMatchObject({ status: 'up', implementation: 'ucx' })
    expect(health.details?.rdma).toBe(false)
    expect(health.details?.lanes).toContain('tcp/lo')
  })

  it('closes the session with FRAME_CORRUPT on a garbage frame, and keeps serving', async () => {
    const b = await transport('node-b')
    const address = await b.listen('ucx://127.0.0.1:0')
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const raw = await rawSession(address)
    const server = await accepted
    const closed = closeError(server)
    await raw.send(
      Uint8Array.from({ length: 24 }, (_, i) => 0xee - i),
      headerTag(0, 0),
    )
    const error = await closed
    expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    expect(server.closed).toBe(true)
    expect(b.sessions()).toEqual([])
    // The process and the listener carry on.
    const a = await transport('node-a')
    const client = await a.dial(address)
    expect(client.remote.nodeId).toBe('node-b')
  })

  it('refuses a frame announcing more than the bound with FRAME_TOO_LARGE before allocating it', async () => {
    const b = await transport('node-b')
    const address = await b.listen('ucx://127.0.0.1:0')
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const raw = await rawSession(address)
    const closed = closeError(await accepted)
    const header = encodeFrameHeader({
      type: FrameType.chunk,
      flags: 0,
      channel: 0,
      transferId: 1,
      sequence: 0,
      payload: new Uint8Array(0),
    })
    new DataView(header.buffer).setUint32(16, 0xffff_fff0) // announce ~4 GiB; the payload is never sent
    await raw.send(header, headerTag(3, 0))
    expect(isDwcpError(await closed, 'DWCP_ERR_FRAME_TOO_LARGE')).toBe(true)
  })

  it('closes the session with SESSION_CLOSED when the peer endpoint goes away', async () => {
    const b = await transport('node-b')
    const address = await b.listen('ucx://127.0.0.1:0')
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const raw = await rawSession(address)
    const server = await accepted
    const closed = closeError(server)
    await raw.close({ force: true })
    expect(isDwcpError(await closed, 'DWCP_ERR_SESSION_CLOSED')).toBe(true)
    await expect(server.send('x', new Uint8Array(1))).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_SESSION_CLOSED'),
    )
  })

  it('refuses a second listen on the same port with ADDRESS_IN_USE and listens on two ports', async () => {
    const b = await transport('node-b')
    const first = await b.listen('ucx://127.0.0.1:0')
    await expect(b.listen(first)).rejects.toSatisfy((e) => isDwcpError(e, 'DWCP_ERR_ADDRESS_IN_USE'))
    const second = await b.listen('ucx://127.0.0.1:0')
    expect(b.addresses()).toEqual([first, second])
    const a = await transport('node-a')
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    await a.dial(second)
    expect((await accepted).remote.nodeId).toBe('node-a')
  })

  it('fails a dial with TIMEOUT when the listener never answers the hello, and refuses garbage hellos', async () => {
    const { UcxWorker } = native as typeof import('@dwcp/rdma-native')
    const silent = UcxWorker.create(LOOPBACK)
    workers.push(silent)
    const { port } = silent.listen('127.0.0.1', 0)
    const a = await transport('node-a', { ...LOOPBACK, handshakeTimeoutMs: 200 })
    await expect(a.dial(`ucx://127.0.0.1:${port}`)).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_TIMEOUT'),
    )
    expect(a.sessions()).toEqual([])

    const b = await transport('node-b')
    const address = await b.listen('ucx://127.0.0.1:0')
    const endpoint = await silent.connect('127.0.0.1', Number(address.slice(address.lastIndexOf(':') + 1)))
    const answer = new Uint8Array(MAX_HANDSHAKE_MESSAGE_BYTES)
    const reply = endpoint.recv(answer, HANDSHAKE_TAG)
    await endpoint.send(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), HANDSHAKE_TAG)
    const { lengthBytes } = await reply
    expect(new HandshakeReader().push(answer.subarray(0, lengthBytes))?.message.kind).toBe(3)
    expect(b.sessions()).toEqual([])
  })
})
