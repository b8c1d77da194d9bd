import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame } from './frame-codec.js'
import { FLAG_ENCODED, FRAME_HEADER_BYTES, FrameType, type RawFrame } from './frame-layout.js'
import { FrameReader } from './frame-reader.js'
import { encodeHandshake, HandshakeKind, HandshakeReader } from './handshake-codec.js'
import { FrameDecoder, FrameEncoder, TransferIds } from './session-codec.js'

const TYPED = new Set(['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE', 'DWCP_ERR_HANDSHAKE_REJECTED'])

/** Feeds bytes through the whole receive path of a stream; returns the typed error, if any. */
function receive(bytes: Uint8Array, maxPayloadBytes = 1 << 16): string | undefined {
  const reader = new FrameReader(maxPayloadBytes)
  const decoder = new FrameDecoder(new TransferIds())
  try {
    for (const raw of reader.push(bytes)) decoder.decode(raw)
    return undefined
  } catch (error) {
    if (!isDwcpError(error) || !TYPED.has(error.code)) throw error
    return error.code
  }
}

const rawFrame = fc.record({
  type: fc.constantFrom(...Object.values(FrameType)),
  // Every combination of the known flags, the encoded one included (unknown bits are the garbage test's).
  flags: fc.integer({ min: 0, max: 7 }),
  channel: fc.integer({ min: 0, max: 0xffff }),
  transferId: fc.nat({ max: 0xffffffff }),
  sequence: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  payload: fc.uint8Array({ maxLength: 512 }),
}) as fc.Arbitrary<RawFrame>

describe('wire decoders under fuzzing', () => {
  it('garbage gives a typed error or nothing, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => void receive(bytes)),
      { numRuns: 2000 },
    )
  })

  it('any single flipped bit of a frame is detected', () => {
    fc.assert(
      fc.property(rawFrame, fc.nat(), (frame, bitSeed) => {
        const bytes = encodeFrame(frame)
        const bit = bitSeed % (bytes.byteLength * 8)
        const mutated = bytes.slice()
        mutated[bit >> 3] = (mutated[bit >> 3] as number) ^ (1 << (bit & 7))
        const reader = new FrameReader(1 << 16)
        let frames: RawFrame[] = []
        try {
          frames = reader.push(mutated)
        } catch (error) {
          expect(isDwcpError(error) && TYPED.has(error.code)).toBe(true)
          return
        }
        // A flip in the length field can make the frame look longer: then nothing is delivered yet.
        expect(frames).toEqual([])
        expect(reader.pendingBytes).toBeGreaterThan(0)
      }),
      { numRuns: 2000 },
    )
  })

  it('a truncated frame delivers nothing and waits; a bad CRC is caught', () => {
    fc.assert(
      fc.property(rawFrame, fc.nat(), (frame, cut) => {
        const bytes = encodeFrame(frame)
        const reader = new FrameReader(1 << 16)
        expect(reader.push(bytes.subarray(0, cut % bytes.byteLength))).toEqual([])
        const wrong = bytes.slice()
        wrong[20] = (wrong[20] as number) ^ 0xff
        expect(() => new FrameReader(1 << 16).push(wrong)).toThrow(
          expect.objectContaining({ code: 'DWCP_ERR_FRAME_CORRUPT' }),
        )
      }),
      { numRuns: 1000 },
    )
  })

  it('an oversized length is refused from the header alone, before any allocation', () => {
    const header = new Uint8Array(FRAME_HEADER_BYTES)
    header[0] = FrameType.chunk
    new DataView(header.buffer).setUint32(16, 0xffffffff)
    const before = process.memoryUsage().arrayBuffers
    expect(receive(header)).toBe('DWCP_ERR_FRAME_TOO_LARGE')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20)
  })

  it('the encoded flag: a chunk with it decodes as an encoded chunk; any other frame with it is refused', () => {
    fc.assert(
      fc.property(
        rawFrame,
        fc.integer({ min: 0, max: 3 }),
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        (frame, otherFlags, payload) => {
          // Number 1 names the peer's transfer "t" and one of ours, so that a chunk resolves whichever owner
          // flag it carries and reaches the checks after the lookup.
          const ids = new TransferIds()
          ids.registerRemote(1, 't')
          ids.assignLocal('ours')
          const decoder = new FrameDecoder(ids)
          const flagged: RawFrame = { ...frame, flags: FLAG_ENCODED | otherFlags }
          const chunk: RawFrame = { ...flagged, type: FrameType.chunk, transferId: 1, payload }
          let decoded: ReturnType<FrameDecoder['decode']>
          let code: string | undefined
          try {
            decoded = decoder.decode(chunk)
          } catch (error) {
            if (!isDwcpError(error) || !TYPED.has(error.code)) throw error
            code = error.code
          }
          // Only the plain sender-numbered chunk is valid; the other flags on a chunk are refused.
          if (otherFlags === 0)
            expect(decoded).toEqual({
              type: 'chunk',
              id: 't',
              offsetBytes: chunk.sequence,
              bytes: payload,
              encoded: true,
            })
          else expect(code).toBe('DWCP_ERR_FRAME_CORRUPT')
          if (flagged.type !== FrameType.chunk)
            expect(() => new FrameDecoder(new TransferIds()).decode(flagged)).toThrow(
              expect.objectContaining({ code: 'DWCP_ERR_FRAME_CORRUPT' }),
            )
          // And the whole path, header checks and CRC included, gives a typed error or a frame, nothing else.
          receive(encodeFrame(flagged))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('an encoded chunk survives the round trip through encoder, bytes and decoder', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.boolean(),
        (bytes, offsetBytes, encoded) => {
          const senderIds = new TransferIds()
          senderIds.assignLocal('object')
          const receiverIds = new TransferIds()
          receiverIds.registerRemote(1, 'object')
          const raws = new FrameEncoder(senderIds).encode({
            type: 'chunk',
            id: 'object',
            offsetBytes,
            bytes,
            ...(encoded ? { encoded } : {}),
          })
          const reader = new FrameReader(1 << 16)
          const decoder = new FrameDecoder(receiverIds)
          const got = raws.flatMap((raw) => reader.push(encodeFrame(raw))).map((raw) => decoder.decode(raw))
          expect(got).toEqual([
            { type: 'chunk', id: 'object', offsetBytes, bytes, ...(encoded ? { encoded } : {}) },
          ])
        },
      ),
      { numRuns: 500 },
    )
  })

  it('handshakes: garbage, truncation and mutation give a typed error or wait', () => {
    const valid = encodeHandshake({
      version: 1,
      kind: HandshakeKind.hello,
      body: { nodeId: 'n', clusterId: 'c' },
    })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.nat(), (garbage, cut, bit) => {
        for (const bytes of [
          garbage,
          valid.subarray(0, cut % valid.byteLength),
          (() => {
            const m = valid.slice()
            const b = bit % (m.byteLength * 8)
            m[b >> 3] = (m[b >> 3] as number) ^ (1 << (b & 7))
            return m
          })(),
        ]) {
          try {
            new HandshakeReader().push(bytes)
          } catch (error) {
            expect(isDwcpError(error) && TYPED.has(error.code), String(error)).toBe(true)
          }
        }
      }),
      { numRuns: 1500 },
    )
  })
})
