import { createHash } from 'node:crypto'
import {
  bytesSink,
  bytesSource,
  isDwcpError,
  type PeerInfo,
  type Session,
  silentLogger,
  systemClock,
  UcxError,
} from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { complianceIdentity } from '../compliance/transport-suite.js'
import type { SessionFrame } from '../session/frames.js'
import { MultiStreamSession } from '../session/multi-stream-session.js'
import { encodeFrameHeader } from '../wire/frame-codec.js'
import { FrameType, type RawFrame } from '../wire/frame-layout.js'
import { TransferIds } from '../wire/session-codec.js'
import { type FakeEndpoint, fakePair } from './fake-ucx-endpoint.js'
import { formatUcxAddress, parseUcxAddress } from './ucx-address.js'
import { UcxLane } from './ucx-lane.js'
import { UcxLaneReader } from './ucx-lane-reader.js'
import { UcxLaneProvider } from './ucx-provider.js'
import { FRAME_NUMBER_MODULUS, HANDSHAKE_TAG, headerTag, payloadTag } from './ucx-tags.js'

function raw(type: number, payload: Uint8Array, fields: Partial<RawFrame> = {}): RawFrame {
  return { type, flags: 0, channel: 0, transferId: 0, sequence: 0, payload, ...fields }
}

/** Runs a reader on `endpoint`'s lane 0 and resolves with its first error. */
function readerError(
  endpoint: FakeEndpoint,
  maxPayloadBytes = 1024,
): { frames: SessionFrame[]; error: Promise<Error> } {
  const frames: SessionFrame[] = []
  const error = new Promise<Error>((resolve) =>
    new UcxLaneReader({
      endpoint,
      lane: 0,
      ids: new TransferIds(),
      maxPayloadBytes,
      onFrame: (f) => frames.push(f),
      onError: resolve,
    }).start(),
  )
  return { frames, error }
}

const sessions: Session[] = []
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()))
})

describe('ucx tags and addresses', () => {
  it('gives header and payload of each frame their own tag, lanes apart, numbers wrapping at 2^23', () => {
    expect(headerTag(0, 0)).toBe(0)
    expect(payloadTag(0, 0)).toBe(1)
    expect(headerTag(3, 5)).toBe(0x0300000a)
    expect(payloadTag(254, 1)).toBe(0xfe000003)
    expect(headerTag(1, FRAME_NUMBER_MODULUS)).toBe(headerTag(1, 0))
    expect(HANDSHAKE_TAG).toBe(0xff000000)
  })

  it('parses and formats ucx:// addresses', () => {
    expect(parseUcxAddress('ucx://127.0.0.1:4789')).toEqual({ host: '127.0.0.1', port: 4789 })
    expect(parseUcxAddress('ucx://[::1]:0')).toEqual({ host: '::1', port: 0 })
    expect(formatUcxAddress('::1', 5)).toBe('ucx://[::1]:5')
    for (const bad of ['tcp://127.0.0.1:1', 'ucx://127.0.0.1', 'ucx://h:70000'])
      expect(() => parseUcxAddress(bad)).toThrow(
        expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
      )
  })
})

describe('ucx lane reader (fake endpoint)', () => {
  it('reads frames in order and refuses a CRC mismatch with FRAME_CORRUPT', async () => {
    const [sender, receiver] = fakePair()
    const { frames, error } = readerError(receiver)
    const ping = raw(FrameType.ping, new Uint8Array(0), { sequence: 5000 })
    await sender.send(encodeFrameHeader(ping), headerTag(0, 0))
    const close = raw(FrameType.close, new TextEncoder().encode('bye'))
    await sender.send(encodeFrameHeader(close), headerTag(0, 1))
    await sender.send(new TextEncoder().encode('bye'), payloadTag(0, 1))
    await sender.send(encodeFrameHeader(close), headerTag(0, 2))
    await sender.send(new TextEncoder().encode('BYE'), payloadTag(0, 2))
    expect(isDwcpError(await error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    expect(frames).toEqual([
      { type: 'ping', sentAtMs: 5 },
      { type: 'close', reason: 'bye' },
    ])
  })

  it('refuses a header message of the wrong size with FRAME_CORRUPT', async () => {
    for (const size of [10, 25]) {
      const [sender, receiver] = fakePair()
      const { error } = readerError(receiver)
      await sender.send(new Uint8Array(size), headerTag(0, 0))
      expect(isDwcpError(await error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    }
  })

  it('refuses an oversized length with FRAME_TOO_LARGE without posting a payload receive', async () => {
    const [sender, receiver] = fakePair()
    const { error } = readerError(receiver, 1024)
    const header = encodeFrameHeader(raw(FrameType.message, new Uint8Array(0), { channel: 1 }))
    new DataView(header.buffer).setUint32(16, 1025)
    await sender.send(header, headerTag(0, 0))
    expect(isDwcpError(await error, 'DWCP_ERR_FRAME_TOO_LARGE')).toBe(true)
    expect(receiver.postedTags).toEqual([headerTag(0, 0)])
  })

  it('refuses a payload shorter or longer than its header says with FRAME_CORRUPT', async () => {
    for (const size of [3, 5]) {
      const [sender, receiver] = fakePair()
      const { error } = readerError(receiver)
      await sender.send(encodeFrameHeader(raw(FrameType.close, new Uint8Array(4))), headerTag(0, 0))
      await sender.send(new Uint8Array(size), payloadTag(0, 0))
      expect(isDwcpError(await error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    }
  })
})

describe('ucx lanes and provider (fake endpoint)', () => {
  it('makes writes wait while a lane has more than its bound in uncompleted sends', async () => {
    const [sender] = fakePair()
    sender.holdSends = true
    const lane = new UcxLane({
      endpoint: sender,
      lane: 0,
      ids: new TransferIds(),
      maxInFlightBytes: 100,
      onFailure: () => {},
    })
    let done = false
    const write = lane.write({ type: 'message', channel: 'c', bytes: new Uint8Array(200) }).then(() => {
      done = true
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(done).toBe(false)
    expect(lane.inFlightBytes).toBeGreaterThan(200)
    for (const release of sender.heldSends.splice(0)) release()
    await write
    expect(lane.inFlightBytes).toBe(0)
    lane.close()
    await expect(lane.write({ type: 'ping', sentAtMs: 0 })).rejects.toSatisfy((e) =>
      isDwcpError(e, 'DWCP_ERR_SESSION_CLOSED'),
    )
  })

  function sessionPair(lanesMax: number): {
    client: MultiStreamSession
    server: MultiStreamSession
    endpoints: FakeEndpoint[]
  } {
    const endpoints = fakePair()
    const [client, server] = endpoints.map((endpoint, i) => {
      const provider = new UcxLaneProvider({
        endpoint,
        lanesMax,
        lanes: 2,
        maxPayloadBytes: 1024 * 1024,
        maxInFlightBytesPerLane: 1024 * 1024,
      })
      const remote: PeerInfo = {
        ...complianceIdentity(i === 0 ? 'node-b' : 'node-a'),
        address: 'ucx://fake:1',
      }
      remote.capabilities.maxStreams = lanesMax
      const session = new MultiStreamSession({
        id: 'fake-session',
        remote,
        provider,
        transport: 'ucx',
        rdma: false,
        clock: systemClock(),
        logger: silentLogger(),
      })
      sessions.push(session)
      return session
    }) as [MultiStreamSession, MultiStreamSession]
    return { client, server, endpoints }
  }

  it('grows and shrinks lanes within the cap and delivers a transfer striped over them', async () => {
    const { client, server } = sessionPair(6)
    expect(client.streams).toBe(2)
    client.streams = 100
    expect(client.streams).toBe(6)
    client.streams = 3
    expect(client.streams).toBe(3)
    const payload = createHash('sha512').update('x').digest().subarray(0, 64)
    const object = new Uint8Array(300 * 1024).map((_, i) => payload[i % 64] as number)
    const sink = bytesSink(object.byteLength)
    server.on('transfer', (incoming) => void incoming.accept(sink))
    const growing = client.transfer(bytesSource(object), { chunkBytes: 4096 })
    client.streams = 6
    const result = await growing
    expect(result.sizeBytes).toBe(object.byteLength)
    expect(Buffer.from(sink.bytes).equals(Buffer.from(object))).toBe(true)
  })

  it('ends the session with SESSION_CLOSED when the endpoint fails', async () => {
    const { client, endpoints } = sessionPair(2)
    const closed = new Promise<Error | undefined>((resolve) => client.on('close', resolve))
    endpoints[0]?.fail(new UcxError('endpoint', -1, 'UCS_ERR_CONNECTION_RESET'))
    expect(isDwcpError(await closed, 'DWCP_ERR_SESSION_CLOSED')).toBe(true)
    expect(endpoints[0]?.closed).toBe(true)
  })
})
