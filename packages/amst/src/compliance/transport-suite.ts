import { createHash, randomBytes } from 'node:crypto'
import {
  bytesSink,
  bytesSource,
  isDwcpError,
  type NodeIdentity,
  type Session,
  silentLogger,
  systemClock,
  type Transport,
  type TransportComponents,
  type TransportFactory,
} from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { countingCodec } from './counting-codec.js'

/** What the compliance suite needs to exercise one transport implementation. */
export interface TransportComplianceSetup {
  /** Makes a transport for a node with this identity. */
  create: (
    identity: NodeIdentity,
    components?: Partial<TransportComponents>,
  ) => Transport | Promise<Transport>
  /** An address the transport can listen on (unique per call; e.g. `memory://` or `127.0.0.1:0`). */
  listenAddress: () => string
  /** An address nothing listens on. */
  unreachableAddress: () => string
}

/** The identity the suite gives node `name`. */
export function complianceIdentity(name: string, clusterId = 'compliance'): NodeIdentity {
  return {
    nodeId: name,
    clusterId,
    mode: 'datacenter',
    capabilities: { codecs: ['none'], maxStreams: 16, rdma: false },
  }
}

/**
 * Components for a transport in the suite. Its metrics are `memoryMetrics()`, which refuses what the production
 * registry refuses: a transport or session that records a wrong name or label fails the suite, not a node.
 */
export function complianceComponents(identity: NodeIdentity): TransportComponents {
  return { identity: () => identity, clock: systemClock(), logger: silentLogger(), metrics: memoryMetrics() }
}

/** Adapts a two-step factory to the suite's `create`. */
export function fromFactory(factory: TransportFactory): TransportComplianceSetup['create'] {
  return (identity, components) => factory({ ...complianceComponents(identity), ...components })
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(caught, `expected a rejection with ${code}`).toBeDefined()
  expect(isDwcpError(caught) ? caught.code : caught).toBe(code)
}

/**
 * The transport compliance suite: every {@link Transport} implementation (in-memory, TCP, UCX) must pass it.
 * Call it inside a vitest test file.
 */
export function transportComplianceSuite(name: string, setup: TransportComplianceSetup): void {
  describe(`transport compliance: ${name}`, () => {
    const transports: Transport[] = []

    afterEach(async () => {
      await Promise.all(transports.splice(0).map((t) => t.stop()))
    })

    async function pair(
      clusterB = 'compliance',
      componentsB: Partial<TransportComponents> = {},
    ): Promise<{ a: Transport; b: Transport; address: string }> {
      const a = await setup.create(complianceIdentity('node-a'))
      const b = await setup.create(complianceIdentity('node-b', clusterB), componentsB)
      transports.push(a, b)
      await a.start()
      await b.start()
      const address = await b.listen(setup.listenAddress())
      return { a, b, address }
    }

    async function connect(
      componentsB: Partial<TransportComponents> = {},
    ): Promise<{ a: Transport; b: Transport; client: Session; server: Session }> {
      const { a, b, address } = await pair('compliance', componentsB)
      const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
      const client = await a.dial(address)
      const server = await accepted
      return { a, b, client, server }
    }

    it('dials, handshakes and reports the peer on both ends', async () => {
      const { client, server, b } = await connect()
      expect(client.remote.nodeId).toBe('node-b')
      expect(server.remote.nodeId).toBe('node-a')
      expect(client.id).toBe(server.id)
      expect(b.addresses().length).toBe(1)
      expect(b.health().status).toBe('up')
    })

    it('rejects a peer from another cluster', async () => {
      const { a, address } = await pair('another-cluster')
      await expectCode(a.dial(address), 'DWCP_ERR_HANDSHAKE_REJECTED')
    })

    it('fails to dial an address nothing listens on', async () => {
      const { a } = await pair()
      await expectCode(a.dial(setup.unreachableAddress()), 'DWCP_ERR_PEER_UNREACHABLE')
    })

    it('delivers messages in order on every channel, both ways', async () => {
      const { client, server } = await connect()
      const got: string[] = []
      const back: string[] = []
      const all = new Promise<void>((resolve) =>
        server.on('message', (channel, bytes) => {
          got.push(`${channel}:${new TextDecoder().decode(bytes)}`)
          if (got.length === 500) resolve()
        }),
      )
      const reply = new Promise<void>((resolve) =>
        client.on('message', (channel, bytes) => {
          back.push(`${channel}:${new TextDecoder().decode(bytes)}`)
          if (back.length === 10) resolve()
        }),
      )
      for (let i = 0; i < 500; i++)
        await client.send(i % 2 ? 'raft' : 'sync', new TextEncoder().encode(String(i)))
      for (let i = 0; i < 10; i++) await server.send('control', new TextEncoder().encode(String(i)))
      await all
      await reply
      expect(got).toEqual(Array.from({ length: 500 }, (_, i) => `${i % 2 ? 'raft' : 'sync'}:${i}`))
      expect(back).toEqual(Array.from({ length: 10 }, (_, i) => `control:${i}`))
    })

    it('refuses oversized messages and bad channel names with a typed error', async () => {
      const { client } = await connect()
      await expectCode(client.send('', new Uint8Array(1)), 'DWCP_ERR_INVALID_ARGUMENT')
      await expectCode(client.send('x'.repeat(65), new Uint8Array(1)), 'DWCP_ERR_INVALID_ARGUMENT')
      await expectCode(client.send('big', new Uint8Array(16 * 1024 * 1024 + 1)), 'DWCP_ERR_INVALID_ARGUMENT')
    })

    it('transfers a bulk object striped over streams with a matching digest and progress', async () => {
      const { client, server } = await connect()
      client.streams = 4
      const payload = randomBytes(8 * 1024 * 1024 + 12345)
      const sink = bytesSink(payload.byteLength)
      const received = new Promise((resolve, reject) =>
        server.on('transfer', (incoming) => {
          expect(incoming.metadata).toEqual({ kind: 'memory-pages' })
          incoming.accept(sink).then(resolve, reject)
        }),
      )
      const progress: number[] = []
      const sent = await client.transfer(bytesSource(payload), {
        metadata: { kind: 'memory-pages' },
        chunkBytes: 64 * 1024,
        onProgress: (p) => progress.push(p.bytesAcked),
      })
      const got = (await received) as { digest: string }
      expect(got.digest).toBe(sent.digest)
      expect(Buffer.from(sink.bytes).equals(payload)).toBe(true)
      expect(progress.at(-1)).toBe(payload.byteLength)
      expect(progress).toEqual([...progress].sort((x, y) => x - y))
    })

    it('writes to a positional sink as chunks land, each chunk once, under a chunk-list digest', async () => {
      const { client, server } = await connect()
      client.streams = 4
      const chunkBytes = 64 * 1024
      const payload = randomBytes(6 * 1024 * 1024 + 4321)
      const assembled = new Uint8Array(payload.byteLength)
      const offsets: number[] = []
      const received = new Promise<{ digest: string }>((resolve, reject) =>
        server.on('transfer', (incoming) => {
          incoming
            .accept({
              positional: true,
              write: async (offsetBytes, bytes) => {
                offsets.push(offsetBytes)
                assembled.set(bytes, offsetBytes)
              },
            })
            .then(resolve, reject)
        }),
      )
      // A source that returns short reads: the sender still puts whole chunks on the wire.
      const source = {
        sizeBytes: payload.byteLength,
        read: async (offsetBytes: number, lengthBytes: number) =>
          payload.subarray(offsetBytes, offsetBytes + Math.min(lengthBytes, 10_000)),
      }
      const progress: number[] = []
      const sent = await client.transfer(source, {
        chunkBytes,
        onProgress: (p) => progress.push(p.bytesAcked),
      })
      const chunkDigests = []
      for (let at = 0; at < payload.byteLength; at += chunkBytes)
        chunkDigests.push(
          createHash('sha256')
            .update(payload.subarray(at, at + chunkBytes))
            .digest(),
        )
      const expected = `sha256-list:${createHash('sha256').update(Buffer.concat(chunkDigests)).digest('hex')}`
      expect(sent.digest).toBe(expected)
      expect((await received).digest).toBe(expected)
      expect(Buffer.from(assembled).equals(payload)).toBe(true)
      expect([...offsets].sort((x, y) => x - y)).toEqual(chunkDigests.map((_, i) => i * chunkBytes))
      expect(progress.at(-1)).toBe(payload.byteLength)
    })

    it('encodes every chunk with the transfer codec and decodes it with the receiving session decoder', async () => {
      const codec = countingCodec()
      const { client, server } = await connect({ chunkDecoder: codec })
      client.streams = 4
      const chunkBytes = 64 * 1024
      for (const positional of [false, true]) {
        const payload = randomBytes(3 * 1024 * 1024 + 777)
        const before = { encoded: codec.encodedBytes, decoded: codec.decodedBytes }
        const assembled = new Uint8Array(payload.byteLength)
        const received = new Promise<{ digest: string }>((resolve, reject) =>
          server.once('transfer', (incoming) => {
            incoming
              .accept({
                positional,
                write: async (offsetBytes, bytes) => {
                  assembled.set(bytes, offsetBytes)
                },
              })
              .then(resolve, reject)
          }),
        )
        const contexts: string[] = []
        const sent = await client.transfer(bytesSource(payload), {
          chunkBytes,
          codec,
          codecContext: () => {
            contexts.push('read')
            return { mode: 'internet', predictedBandwidthBps: 1e8 }
          },
        })
        expect((await received).digest).toBe(sent.digest)
        expect(Buffer.from(assembled).equals(payload)).toBe(true)
        // Every byte went through the encoder exactly once (a chunk sent again, its stream having stalled, is
        // the frame it first went as) and through the decoder exactly once (a second copy is dropped before
        // decoding), and the digest is the original bytes' (sha256 of the object in order; the chunk list's out
        // of order).
        expect(codec.encodedBytes - before.encoded).toBe(payload.byteLength)
        expect(codec.decodedBytes - before.decoded).toBe(payload.byteLength)
        expect(contexts.length).toBe(Math.ceil(payload.byteLength / chunkBytes))
        if (!positional)
          expect(sent.digest).toBe(`sha256:${createHash('sha256').update(payload).digest('hex')}`)
      }
    })

    it('fails only the transfer when an encoded chunk reaches a session without a decoder', async () => {
      const { client, server } = await connect()
      const receiverError = new Promise<unknown>((resolve) =>
        server.once(
          'transfer',
          (incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)).catch(resolve),
        ),
      )
      await expectCode(
        client.transfer(bytesSource(randomBytes(256 * 1024)), { chunkBytes: 65536, codec: countingCodec() }),
        'DWCP_ERR_TRANSFER_FAILED',
      )
      expect(isDwcpError(await receiverError, 'DWCP_ERR_COMPONENT_ABSENT')).toBe(true)
      // The session carries on: a plain transfer still goes through.
      server.once('transfer', (incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
      const payload = randomBytes(100_000)
      await client.transfer(bytesSource(payload), { chunkBytes: 65536 })
      expect(client.closed || server.closed).toBe(false)
    })

    it('transfers an empty object', async () => {
      const { client, server } = await connect()
      server.on('transfer', (incoming) => void incoming.accept(bytesSink(0)))
      const result = await client.transfer(bytesSource(new Uint8Array(0)))
      expect(result.sizeBytes).toBe(0)
    })

    it('rejects a transfer nobody receives, and one the receiver declines', async () => {
      const { client, server } = await connect()
      await expectCode(client.transfer(bytesSource(new Uint8Array(10))), 'DWCP_ERR_TRANSFER_REJECTED')
      server.on('transfer', (incoming) => incoming.reject('not now'))
      await expectCode(client.transfer(bytesSource(new Uint8Array(10))), 'DWCP_ERR_TRANSFER_REJECTED')
    })

    it('fails both ends with typed errors when the sink fails', async () => {
      const { client, server } = await connect()
      const receiverError = new Promise((resolve) =>
        server.on('transfer', (incoming) => {
          incoming
            .accept({
              write: async (offset) => {
                if (offset > 0) throw new Error('disk full')
              },
            })
            .catch(resolve)
        }),
      )
      await expectCode(
        client.transfer(bytesSource(new Uint8Array(1024 * 1024)), { chunkBytes: 65536 }),
        'DWCP_ERR_TRANSFER_FAILED',
      )
      expect(isDwcpError(await receiverError, 'DWCP_ERR_TRANSFER_FAILED')).toBe(true)
    })

    it('aborts a transfer through its signal and tells the receiver', async () => {
      const { client, server } = await connect()
      const controller = new AbortController()
      const receiverError = new Promise((resolve) =>
        server.on('transfer', (incoming) => {
          incoming
            .accept({
              // The sink stalls on its first write, so the abort must reach the receiver before the end.
              write: () => {
                controller.abort(new Error('user cancelled'))
                return new Promise<void>(() => {})
              },
            })
            .catch(resolve)
        }),
      )
      await expectCode(
        client.transfer(bytesSource(new Uint8Array(4 * 1024 * 1024)), {
          signal: controller.signal,
          chunkBytes: 65536,
        }),
        'DWCP_ERR_ABORTED',
      )
      expect(isDwcpError(await receiverError, 'DWCP_ERR_TRANSFER_FAILED')).toBe(true)
    })

    it('changes the stream count within the peer cap', async () => {
      const { client } = await connect()
      client.streams = 8
      expect(client.streams).toBe(8)
      client.streams = 1000
      expect(client.streams).toBe(16)
      client.streams = 2
      expect(client.streams).toBe(2)
      expect(() => {
        client.streams = 0
      }).toThrow()
    })

    it('samples the path', async () => {
      const { client } = await connect()
      const sample = client.sample()
      expect(sample.rttMs).toBeGreaterThanOrEqual(0)
      expect(sample.lossRate).toBeGreaterThanOrEqual(0)
      expect(sample.lossRate).toBeLessThanOrEqual(1)
      expect(sample.bandwidthBps).toBeGreaterThanOrEqual(0)
    })

    it('closes both ends and fails pending work with SESSION_CLOSED', async () => {
      const { client, server } = await connect()
      const serverClosed = new Promise((resolve) => server.on('close', resolve))
      server.on('transfer', () => {
        // Accept nothing and answer nothing: the offer stays pending until the close.
      })
      const pending = client.transfer(bytesSource(new Uint8Array(1024))).then(
        () => 'resolved',
        (error: unknown) => error,
      )
      await client.close()
      await serverClosed
      expect(client.closed).toBe(true)
      expect(server.closed).toBe(true)
      expect(isDwcpError(await pending)).toBe(true)
      await expectCode(client.send('x', new Uint8Array(1)), 'DWCP_ERR_SESSION_CLOSED')
    })

    it('closes every session when the transport stops', async () => {
      const { a, client, server } = await connect()
      const closed = new Promise((resolve) => server.on('close', resolve))
      await a.stop()
      await closed
      expect(client.closed).toBe(true)
      expect(a.sessions()).toEqual([])
    })
  })
}
