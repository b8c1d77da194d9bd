import { readFileSync } from 'node:fs'
import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import type { SessionFrame } from '../session/frames.js'
import { decodeFrame, encodeFrame } from './frame-codec.js'
import { FrameReader } from './frame-reader.js'
import { HandshakeReader } from './handshake-codec.js'
import { FrameDecoder, FrameEncoder, TransferIds } from './session-codec.js'

const vectors = JSON.parse(
  readFileSync(new URL('../../test-vectors/frames.json', import.meta.url), 'utf8'),
) as {
  frames: Array<{
    name: string
    hex: string
    type: number
    flags: number
    channel: number
    transferId: number
    sequence: number
    payloadHex: string
  }>
  handshakes: Array<{ name: string; hex: string; kind: number; body: Record<string, unknown> }>
}

describe('wire test vectors', () => {
  it.each(vectors.frames)('decodes and re-encodes: $name', (vector) => {
    const bytes = Uint8Array.from(Buffer.from(vector.hex, 'hex'))
    const frame = decodeFrame(bytes, 1 << 20)
    expect(frame).toMatchObject({
      type: vector.type,
      flags: vector.flags,
      channel: vector.channel,
      transferId: vector.transferId,
      sequence: vector.sequence,
    })
    expect(Buffer.from(frame.payload).toString('hex')).toBe(vector.payloadHex)
    expect(Buffer.from(encodeFrame(frame)).toString('hex')).toBe(vector.hex)
  })

  it.each(vectors.handshakes)('reads the handshake: $name', (vector) => {
    const bytes = Uint8Array.from(Buffer.from(vector.hex, 'hex'))
    const reader = new HandshakeReader()
    // One byte at a time: a handshake may arrive in any pieces.
    let done: ReturnType<HandshakeReader['push']>
    for (let i = 0; i < bytes.byteLength; i++) done = reader.push(bytes.subarray(i, i + 1))
    expect(done?.message).toEqual({ version: 1, kind: vector.kind, body: vector.body })
    expect(done?.rest.byteLength).toBe(0)
  })
})

/** Encodes with one side's codec and decodes with the other's, through a frame reader fed in small pieces. */
function roundTrip(
  frames: SessionFrame[],
  senderIds = new TransferIds(),
  receiverIds = new TransferIds(),
): SessionFrame[] {
  const encoder = new FrameEncoder(senderIds)
  const decoder = new FrameDecoder(receiverIds)
  const reader = new FrameReader(1 << 20)
  const out: SessionFrame[] = []
  for (const frame of frames) {
    for (const raw of encoder.encode(frame)) {
      const bytes = encodeFrame(raw)
      for (let at = 0; at < bytes.byteLength; at += 7)
        for (const got of reader.push(bytes.subarray(at, at + 7))) {
          const decoded = decoder.decode(got)
          if (decoded) out.push(decoded)
        }
    }
  }
  return out
}

describe('session codec', () => {
  it('carries messages with their channel names, opening each channel once', () => {
    const frames: SessionFrame[] = [
      { type: 'message', channel: 'raft', bytes: Uint8Array.from([1]) },
      { type: 'message', channel: 'sync', bytes: Uint8Array.from([2]) },
      { type: 'message', channel: 'raft', bytes: Uint8Array.from([3]) },
    ]
    expect(roundTrip(frames)).toEqual(frames)
  })

  it('carries a whole transfer exchange in both directions with numeric ids on the wire', () => {
    const aIds = new TransferIds()
    const bIds = new TransferIds()
    const digest = `sha256:${'ab'.repeat(32)}`
    const fromSender: SessionFrame[] = [
      {
        type: 'transfer-offer',
        id: 'vm-42/memory',
        sizeBytes: 2 ** 33,
        chunkBytes: 262144,
        metadata: { workload: 'vm-42' },
      },
      { type: 'chunk', id: 'vm-42/memory', offsetBytes: 2 ** 32, bytes: Uint8Array.from([9, 9]) },
      { type: 'transfer-end', id: 'vm-42/memory', digest },
    ]
    expect(roundTrip(fromSender, aIds, bIds)).toEqual(fromSender)
    const fromReceiver: SessionFrame[] = [
      { type: 'transfer-accept', id: 'vm-42/memory', resumeOffsetBytes: 0, windowBytes: 16 << 20 },
      { type: 'ack', id: 'vm-42/memory', ackedBytes: 2 ** 32 + 2 },
      { type: 'transfer-done', id: 'vm-42/memory', digest },
    ]
    expect(roundTrip(fromReceiver, bIds, aIds)).toEqual(fromReceiver)
    expect(aIds.size + bIds.size).toBe(0) // both sides forgot the finished transfer
    // A late duplicate of a finished transfer is dropped, not misdelivered.
    expect(
      roundTrip(
        [{ type: 'chunk', id: 'vm-42/memory', offsetBytes: 0, bytes: Uint8Array.from([1]) }],
        aIds,
        bIds,
      ),
    ).toEqual([])
  })

  it('carries an out-of-order exchange: accept, per-chunk acks and chunk-list digests, flagged', () => {
    const aIds = new TransferIds()
    const bIds = new TransferIds()
    const digest = `sha256-list:${'cd'.repeat(32)}`
    const fromSender: SessionFrame[] = [
      { type: 'transfer-offer', id: 'disk-3', sizeBytes: 2 ** 20, chunkBytes: 65536, metadata: {} },
      { type: 'transfer-end', id: 'disk-3', digest },
    ]
    expect(roundTrip(fromSender, aIds, bIds)).toEqual(fromSender)
    const fromReceiver: SessionFrame[] = [
      { type: 'transfer-accept', id: 'disk-3', resumeOffsetBytes: 0, windowBytes: 1 << 20, outOfOrder: true },
      { type: 'chunk-ack', id: 'disk-3', offsetBytes: 196608 },
      { type: 'ack', id: 'disk-3', ackedBytes: 65536 },
      { type: 'transfer-done', id: 'disk-3', digest },
    ]
    expect(roundTrip(fromReceiver, bIds, aIds)).toEqual(fromReceiver)
  })

  it('refuses the out-of-order flag on frames it means nothing on', () => {
    const decoder = new FrameDecoder(new TransferIds())
    const flagged = { flags: 0x02, channel: 0, transferId: 0, sequence: 0, payload: new Uint8Array(0) }
    for (const type of [0x20, 0x13]) {
      let caught: unknown
      try {
        decoder.decode({ ...flagged, type })
      } catch (error) {
        caught = error
      }
      expect(isDwcpError(caught, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    }
  })

  it('carries ping, pong and close', () => {
    const frames: SessionFrame[] = [
      { type: 'ping', sentAtMs: 12.5 },
      { type: 'pong', sentAtMs: 12.5 },
      { type: 'close', reason: 'draining' },
    ]
    expect(roundTrip(frames)).toEqual(frames)
  })

  it('rejects a message on a channel that was never opened', () => {
    const decoder = new FrameDecoder(new TransferIds())
    let caught: unknown
    try {
      decoder.decode({
        type: 0x01,
        flags: 0,
        channel: 5,
        transferId: 0,
        sequence: 0,
        payload: new Uint8Array(1),
      })
    } catch (error) {
      caught = error
    }
    expect(isDwcpError(caught, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
  })
})
