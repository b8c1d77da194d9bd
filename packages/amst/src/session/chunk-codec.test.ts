import { createHash, randomBytes } from 'node:crypto'
import {
  bytesSink,
  bytesSource,
  type Codec,
  FrameCorruptError,
  isDwcpError,
  METRIC_NAMES,
  type Session,
  type Transport,
  type TransportComponents,
} from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { type CountingCodec, countingCodec } from '../compliance/counting-codec.js'
import { complianceIdentity, fromFactory } from '../compliance/transport-suite.js'
import { MemoryNetwork } from '../memory/memory-network.js'
import { memoryTransport } from '../memory/memory-transport.js'
import type { MultiStreamSession } from './multi-stream-session.js'
import { testSessions } from './test-sessions.js'
import { testStreamPair } from './test-stream-pair.js'

const transports: Transport[] = []
const sessions: MultiStreamSession[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
  for (const session of sessions.splice(0)) await session.close()
})

/** Two in-memory sessions; the receiving side gets `components` (its chunk decoder, say). */
async function connect(
  components: Partial<TransportComponents> = {},
): Promise<{ client: Session; server: Session }> {
  const network = new MemoryNetwork()
  const create = fromFactory(memoryTransport({ network, streams: 4 }))
  const a = await create(complianceIdentity('node-a'), components)
  const b = await create(complianceIdentity('node-b'), components)
  transports.push(a, b)
  await a.start()
  await b.start()
  const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
  const client = await a.dial(await b.listen('memory://'))
  return { client, server: await accepted }
}

/** Accepts the next transfer into a sink of its size; resolves with the outcome either way. */
function acceptNext(server: Session, positional = false): Promise<{ digest?: string; error?: unknown }> {
  return new Promise((resolve) =>
    server.once('transfer', (incoming) => {
      const sink = bytesSink(incoming.sizeBytes)
      incoming.accept(positional ? { ...sink, positional: true } : sink).then(
        ({ digest }) => resolve({ digest }),
        (error: unknown) => resolve({ error }),
      )
    }),
  )
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

/** A codec that encodes with `inner` and then spoils the frame of chunk number `spoilAt` (counted from 0). */
function spoiling(inner: Codec, spoilAt: number): Codec {
  let frames = 0
  return {
    name: 'spoiling',
    encode: async (chunk, context) => {
      const encoded = await inner.encode(chunk, context)
      const last = encoded.frame.byteLength - 1
      if (frames++ === spoilAt) encoded.frame[last] = (encoded.frame[last] as number) ^ 0xff
      return encoded
    },
    decode: (frame, context) => inner.decode(frame, context),
  }
}

/** A codec that shrinks an all-zero chunk to a 4-byte frame of its length (and copies anything else). */
function zeroCodec(): Codec {
  return {
    name: 'zeros',
    async encode(chunk) {
      if (chunk.every((b) => b === 0)) {
        const frame = new Uint8Array(5)
        new DataView(frame.buffer).setUint32(1, chunk.byteLength)
        return { frame, algorithm: 'zeros', originalBytes: chunk.byteLength }
      }
      const frame = new Uint8Array(chunk.byteLength + 1)
      frame[0] = 1
      frame.set(chunk, 1)
      return { frame, algorithm: 'copy', originalBytes: chunk.byteLength }
    },
    async decode(frame) {
      if (frame[0] === 1) return frame.slice(1)
      if (frame.byteLength !== 5) throw new FrameCorruptError('bad zeros frame')
      return new Uint8Array(new DataView(frame.buffer, frame.byteOffset).getUint32(1))
    },
  }
}

describe('encoded chunks', () => {
  it('fail only their transfer when a frame is corrupt: the session carries on', async () => {
    const codec = countingCodec()
    const { client, server } = await connect({ chunkDecoder: codec })
    const received = acceptNext(server)
    const failed = await rejection(
      client.transfer(bytesSource(randomBytes(1024 * 1024)), {
        chunkBytes: 65536,
        codec: spoiling(codec, 3),
      }),
    )
    expect(isDwcpError(failed, 'DWCP_ERR_TRANSFER_FAILED')).toBe(true)
    expect(isDwcpError((await received).error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    // Same session, next transfer, same codec: intact; and messages still flow.
    const payload = randomBytes(700_000)
    const next = acceptNext(server)
    const sent = await client.transfer(bytesSource(payload), { chunkBytes: 65536, codec })
    expect((await next).digest).toBe(sent.digest)
    const message = new Promise<string>((resolve) =>
      server.once('message', (_channel, bytes) => resolve(Buffer.from(bytes).toString())),
    )
    await client.send('control', Buffer.from('still here'))
    expect(await message).toBe('still here')
    expect(client.closed || server.closed).toBe(false)
  })

  it('fail their transfer with FRAME_CORRUPT when a frame decodes to another length than the chunk', async () => {
    const honest = countingCodec()
    for (const extraBytes of [1, -1]) {
      const lying: Codec = {
        name: 'lying',
        encode: (chunk, context) => honest.encode(chunk, context),
        decode: async (frame, context) => {
          const bytes = await honest.decode(frame, context)
          return extraBytes > 0 ? new Uint8Array(bytes.byteLength + extraBytes) : bytes.subarray(1)
        },
      }
      const { client, server } = await connect({ chunkDecoder: lying })
      const received = acceptNext(server, extraBytes < 0)
      const failed = await rejection(
        client.transfer(bytesSource(randomBytes(300_000)), { chunkBytes: 65536, codec: honest }),
      )
      expect(isDwcpError(failed, 'DWCP_ERR_TRANSFER_FAILED')).toBe(true)
      const { error } = await received
      expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT'), String(error)).toBe(true)
      expect(String((error as Error).message)).toContain('decoded to')
    }
  })

  it('fail their transfer with FRAME_CORRUPT when the decoder throws something untyped', async () => {
    const broken: Codec = {
      name: 'broken',
      encode: async (chunk) => ({ frame: chunk.slice(), algorithm: 'copy', originalBytes: chunk.byteLength }),
      decode: () => {
        throw new RangeError('decoder bug')
      },
    }
    const { client, server } = await connect({ chunkDecoder: broken })
    const received = acceptNext(server)
    await rejection(client.transfer(bytesSource(randomBytes(100_000)), { codec: broken }))
    expect(isDwcpError((await received).error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
  })

  it('fail the transfer, not the session, when the encoder fails or returns no frame', async () => {
    const codec = countingCodec()
    const { client, server } = await connect({ chunkDecoder: codec })
    for (const encode of [
      async () => {
        throw new Error('encoder out of memory')
      },
      async () => ({ frame: new Uint8Array(0), algorithm: 'none', originalBytes: 0 }),
    ]) {
      const received = acceptNext(server)
      const failed = await rejection(
        client.transfer(bytesSource(randomBytes(100_000)), { codec: { ...codec, name: 'failing', encode } }),
      )
      expect(isDwcpError(failed, 'DWCP_ERR_TRANSFER_FAILED'), String(failed)).toBe(true)
      expect(isDwcpError((await received).error, 'DWCP_ERR_TRANSFER_FAILED')).toBe(true)
    }
    expect(client.closed).toBe(false)
  })

  it('are encoded ahead while earlier chunks are on the wire, within a small bound', async () => {
    const delay = () => new Promise<void>((resolve) => setTimeout(resolve, 2))
    const codec = countingCodec({ encodeDelay: delay })
    const { client, server } = await connect({ chunkDecoder: codec })
    const received = acceptNext(server)
    const payload = randomBytes(2 * 1024 * 1024)
    const sent = await client.transfer(bytesSource(payload), { chunkBytes: 65536, codec })
    expect((await received).digest).toBe(sent.digest)
    // The next chunks encode while the current one is sent; read-ahead bounds how many.
    expect(codec.concurrentEncodesMax).toBeGreaterThanOrEqual(2)
    expect(codec.concurrentEncodesMax).toBeLessThanOrEqual(3)
  })

  it('reach an in-order sink in order and a positional sink once each when decodes finish out of order', async () => {
    let turn = 0
    // Every third decode takes longer, so decodes overtake each other.
    const decodeDelay = () => new Promise<void>((resolve) => setTimeout(resolve, turn++ % 3 === 0 ? 6 : 0))
    const codec = countingCodec({ decodeDelay })
    const { client, server } = await connect({ chunkDecoder: codec })
    client.streams = 4
    const payload = randomBytes(3 * 1024 * 1024 + 5)
    for (const positional of [false, true]) {
      const writes: number[] = []
      const assembled = new Uint8Array(payload.byteLength)
      const received = new Promise<string>((resolve, reject) =>
        server.once('transfer', (incoming) => {
          incoming
            .accept({
              positional,
              write: async (offsetBytes, bytes) => {
                writes.push(offsetBytes)
                assembled.set(bytes, offsetBytes)
              },
            })
            .then((result) => resolve(result.digest), reject)
        }),
      )
      const sent = await client.transfer(bytesSource(payload), { chunkBytes: 65536, codec })
      expect(await received).toBe(sent.digest)
      expect(Buffer.from(assembled).equals(payload)).toBe(true)
      const offsets = Array.from({ length: Math.ceil(payload.byteLength / 65536) }, (_, i) => i * 65536)
      if (positional) expect([...writes].sort((x, y) => x - y)).toEqual(offsets)
      else expect(writes).toEqual(offsets)
    }
  })

  it('count encoded bytes in the byte counters and the pacer, original bytes in progress and digest', async () => {
    const metrics = memoryMetrics()
    const codec = zeroCodec()
    const { client, server } = await connect({ chunkDecoder: codec, metrics })
    const payload = new Uint8Array(4 * 1024 * 1024) // all zeros: each 64 KiB chunk becomes 5 bytes
    const received = acceptNext(server)
    const progress: number[] = []
    const sent = await client.transfer(bytesSource(payload), {
      chunkBytes: 65536,
      codec,
      onProgress: (p) => progress.push(p.bytesAcked),
    })
    expect((await received).digest).toBe(sent.digest)
    expect(sent.digest).toBe(`sha256:${createHash('sha256').update(payload).digest('hex')}`)
    expect(progress.at(-1)).toBe(payload.byteLength)
    const labels = { transport: 'memory' }
    expect(metrics.counterValue(METRIC_NAMES.amstBytesSent, labels)).toBe(64 * 5)
    expect(metrics.counterValue(METRIC_NAMES.amstBytesReceived, labels)).toBe(64 * 5)
  })
})

describe('encoded chunks sent again', () => {
  it('are the frames of their first send when their stream is cut: neither read nor encoded again', async () => {
    const pair = testStreamPair(4)
    const codec: CountingCodec = countingCodec()
    const { client, server } = testSessions(pair, codec)
    sessions.push(client, server)
    const chunkBytes = 65536
    const payload = randomBytes(64 * chunkBytes)
    const sink = bytesSink(payload.byteLength)
    let cut = false
    const received = new Promise<string>((resolve, reject) =>
      server.once('transfer', (incoming) => {
        incoming
          .accept({
            write: async (offsetBytes, bytes) => {
              // A third of the way in, with chunks in flight on every stream, one stream is cut.
              if (!cut && offsetBytes >= 20 * chunkBytes) {
                cut = true
                pair.cut(2)
              }
              await sink.write(offsetBytes, bytes)
            },
          })
          .then((result) => resolve(result.digest), reject)
      }),
    )
    const sent = await client.transfer(bytesSource(payload), { chunkBytes, codec })
    expect(await received).toBe(sent.digest)
    expect(Buffer.from(sink.bytes).equals(payload)).toBe(true)
    expect(cut).toBe(true)
    // What the cut stream carried unacknowledged went again, as the frames it first went as.
    expect(pair.chunksSent.length).toBeGreaterThan(64)
    expect(codec.framesEncoded).toBe(64)
    expect(codec.encodedBytes).toBe(payload.byteLength)
  })
})
