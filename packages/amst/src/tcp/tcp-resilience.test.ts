import { createHash } from 'node:crypto'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Session, Transport } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { patternSource } from '../compliance/pattern-source.js'
import { complianceComponents, complianceIdentity } from '../compliance/transport-suite.js'
import { tcpTransport } from './tcp-transport.js'

const MiB = 1024 * 1024

/** A TCP proxy whose connections the test can cut, standing in for a network that drops one connection. */
function cuttableProxy(
  targetPort: number,
): Promise<{ port: number; pairs: Array<[Socket, Socket]>; server: Server }> {
  const pairs: Array<[Socket, Socket]> = []
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    pairs.push([client, upstream])
    client.pipe(upstream)
    upstream.pipe(client)
    const cut = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', cut)
    upstream.on('error', cut)
    client.on('close', cut)
    upstream.on('close', cut)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, pairs, server }),
    ),
  )
}

const transports: Transport[] = []
const servers: Server[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
  for (const server of servers.splice(0)) server.close()
})

/** A sender and a receiver transport, the receiver reached through a proxy whose connections the test can cut. */
async function pairThroughProxy() {
  const a = tcpTransport({ tls: false, streams: 4 })(complianceComponents(complianceIdentity('sender')))
  const b = tcpTransport({ tls: false })(complianceComponents(complianceIdentity('receiver')))
  transports.push(a, b)
  await a.start()
  await b.start()
  const listening = await b.listen('tcp://127.0.0.1:0')
  const proxy = await cuttableProxy(Number(listening.split(':').pop()))
  servers.push(proxy.server)
  return { a, b, proxy, address: `tcp://127.0.0.1:${proxy.port}` }
}

/** A sink that checks writes arrive in order and hashes them. */
function orderedHashingSink() {
  const hash = createHash('sha256')
  const state = { writtenBytes: 0, digest: () => `sha256:${hash.digest('hex')}` }
  const sink = {
    write: async (offsetBytes: number, bytes: Uint8Array) => {
      expect(offsetBytes).toBe(state.writtenBytes)
      hash.update(bytes)
      state.writtenBytes += bytes.byteLength
    },
  }
  return { sink, state }
}

describe('tcp transport resilience', () => {
  it('finishes a 1 GiB transfer with the right digest when one stream is cut in the middle', async () => {
    const { a, b, proxy, address } = await pairThroughProxy()
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const session = await a.dial(address)
    const server = await accepted

    const sizeBytes = 1024 * MiB
    const { sink, state } = orderedHashingSink()
    const received = new Promise<string>((resolve, reject) =>
      server.on('transfer', (incoming) => {
        incoming.accept(sink).then((r) => resolve(r.digest), reject)
      }),
    )
    let cut = false
    const sent = await session.transfer(patternSource(sizeBytes), {
      onProgress: ({ bytesAcked }) => {
        if (!cut && bytesAcked >= 256 * MiB) {
          cut = true
          const [client, upstream] = proxy.pairs[2] as [Socket, Socket] // stream 2 of 4
          client.destroy()
          upstream.destroy()
        }
      },
    })
    expect(cut).toBe(true)
    expect(await received).toBe(sent.digest)
    expect(state.digest()).toBe(sent.digest)
    expect(state.writtenBytes).toBe(sizeBytes)
    expect(session.closed).toBe(false)
    expect(proxy.pairs.length).toBeGreaterThan(4) // the cut stream was dialled again
    expect(session.streams).toBe(4)
  }, 120_000)

  it.each([
    ['an in-order sink', false],
    ['a positional sink', true],
  ])(
    'finishes while one stream stalls without closing (%s): its chunks go again on the others',
    async (_, positional) => {
      const { a, b, proxy, address } = await pairThroughProxy()
      const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
      const session = await a.dial(address)
      const server = await accepted

      const sizeBytes = 96 * MiB
      const { sink, state } = orderedHashingSink()
      const written = new Set<number>()
      const positionalSink = {
        positional: true,
        write: async (offsetBytes: number, bytes: Uint8Array) => {
          written.add(offsetBytes)
          state.writtenBytes += bytes.byteLength
        },
      }
      const received = new Promise<string>((resolve, reject) =>
        server.on('transfer', (incoming) => {
          incoming.accept(positional ? positionalSink : sink).then((r) => resolve(r.digest), reject)
        }),
      )
      // Stream 2 of 4 stops forwarding towards the receiver, as a connection stuck in retransmission timeouts
      // does; it never closes, so only the stall detector can free what it holds.
      let stalled: Socket | undefined
      const sent = await session.transfer(patternSource(sizeBytes), {
        onProgress: ({ bytesAcked }) => {
          if (!stalled && bytesAcked >= 16 * MiB) {
            stalled = (proxy.pairs[2] as [Socket, Socket])[0]
            stalled.unpipe()
            stalled.pause()
          }
        },
      })
      expect(stalled).toBeDefined()
      expect(await received).toBe(sent.digest)
      expect(state.writtenBytes).toBe(sizeBytes)
      if (positional) expect(written.size).toBe(sizeBytes / (256 * 1024))
      else expect(state.digest()).toBe(sent.digest)
      expect(session.closed).toBe(false)
    },
    60_000,
  )

  it('resumes a transfer from the last acknowledged offset after the whole session is lost', async () => {
    const { a, b, proxy, address } = await pairThroughProxy()
    let server = new Promise<Session>((resolve) => b.once('session', resolve))
    const first = await a.dial(address)

    const sizeBytes = 256 * MiB
    const { sink, state } = orderedHashingSink()
    let offers = 0
    const received = new Promise<string>((resolve, reject) =>
      server.then((s) =>
        s.on('transfer', (incoming) => {
          offers++
          incoming.accept(sink).then((r) => resolve(r.digest), reject)
        }),
      ),
    )
    let cutAtBytes = 0
    const lost = await first
      .transfer(patternSource(sizeBytes), {
        id: 'vm-7/memory',
        onProgress: ({ bytesAcked }) => {
          if (cutAtBytes === 0 && bytesAcked >= 64 * MiB) {
            cutAtBytes = bytesAcked
            for (const [client, upstream] of proxy.pairs) {
              client.destroy()
              upstream.destroy()
            }
          }
        },
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(lost).toMatchObject({ code: 'DWCP_ERR_SESSION_CLOSED' })

    server = new Promise<Session>((resolve) => b.once('session', resolve))
    const second = await a.dial(address)
    await server
    let resumedFromBytes = -1
    const sent = await second.transfer(patternSource(sizeBytes), {
      id: 'vm-7/memory',
      onProgress: ({ bytesAcked }) => {
        if (resumedFromBytes < 0) resumedFromBytes = bytesAcked
      },
    })
    expect(resumedFromBytes).toBeGreaterThanOrEqual(cutAtBytes)
    expect(await received).toBe(sent.digest)
    expect(state.digest()).toBe(sent.digest)
    expect(state.writtenBytes).toBe(sizeBytes)
    expect(offers).toBe(1) // the receiving application saw one transfer, not two
  }, 120_000)
})
