/**
 * Fuzzing the frame decoder (DESIGN.md §9): whatever bytes arrive, `decodeFrame` returns a verified frame or
 * throws `DWCP_ERR_FRAME_CORRUPT` / `DWCP_ERR_FRAME_TOO_LARGE`; it never throws anything else, never returns
 * altered bytes, and never allocates for a size it has not bounded.
 */
import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, FRAME_MAGIC, FRAME_VERSION } from './frame.js'

const bound = { maxOriginalBytes: 64 * 1024 }

/** Runs `decode`, and if it throws, demands one of the two frame error codes. Returns whether it decoded. */
function decodesOrTypedError(decode: () => unknown): boolean {
  try {
    decode()
    return true
  } catch (err) {
    const typed = isDwcpError(err, 'DWCP_ERR_FRAME_CORRUPT') || isDwcpError(err, 'DWCP_ERR_FRAME_TOO_LARGE')
    if (!typed) throw new Error(`untyped failure: ${String(err)}`, { cause: err })
    return false
  }
}

/** A valid frame with its fields, from arbitrary payloads, levels and baseline ids. */
const validFrame = fc
  .record({
    payload: fc.uint8Array({ maxLength: 256 }),
    level: fc.integer({ min: -128, max: 127 }),
    baselineId: fc.option(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 32 }), {
      nil: undefined,
    }),
  })
  .map((fields) => ({
    fields,
    frame: encodeFrame({ algorithm: 'none', originalBytes: fields.payload.length, ...fields }),
  }))

/** Bytes that start like a frame (magic, version, algorithm 0, flags 0) so the fuzzer reaches the later checks. */
const plausibleFrame = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 300 }))
  .map(([level, baselineLength, rest]) => {
    const head = [FRAME_MAGIC >> 8, FRAME_MAGIC & 0xff, FRAME_VERSION, 0, level, 0, baselineLength]
    return new Uint8Array([...head, ...rest])
  })

describe('decodeFrame under fuzzing', () => {
  it('(a) decodes arbitrary bytes or throws a typed frame error, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), plausibleFrame), (bytes) => {
        decodesOrTypedError(() => decodeFrame(bytes, bound))
      }),
      { numRuns: 2000 },
    )
  })

  it('(b) detects every single-bit flip of a valid frame', () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), ({ frame }, bitSeed) => {
        const bit = bitSeed % (frame.length * 8)
        const flipped = frame.slice()
        flipped[bit >> 3]! ^= 1 << (bit & 7)
        expect(decodesOrTypedError(() => decodeFrame(flipped, bound))).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('(b) detects every single-bit flip of one frame, bit by bit', () => {
    const frame = encodeFrame({
      algorithm: 'none',
      level: 3,
      baselineId: 'vm-42',
      originalBytes: 16,
      payload: new Uint8Array(16).map((_, i) => i * 17),
    })
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const flipped = frame.slice()
      flipped[bit >> 3]! ^= 1 << (bit & 7)
      expect(
        decodesOrTypedError(() => decodeFrame(flipped, bound)),
        `bit ${bit}`,
      ).toBe(false)
    }
  })

  it('(c) rejects every truncation and every extension of a valid frame', () => {
    fc.assert(
      fc.property(validFrame, fc.uint8Array({ minLength: 1, maxLength: 8 }), ({ frame, fields }, extra) => {
        for (let length = 0; length < frame.length; length++) {
          expect(decodesOrTypedError(() => decodeFrame(frame.subarray(0, length), bound))).toBe(false)
        }
        expect(decodesOrTypedError(() => decodeFrame(new Uint8Array([...frame, ...extra]), bound))).toBe(
          false,
        )
        expect(decodeFrame(frame, bound).payload).toEqual(fields.payload)
      }),
      { numRuns: 500 },
    )
  })

  it('(d) refuses a header announcing 4 GiB with FrameTooLargeError, allocating nothing for it', () => {
    const header = encodeFrame({ algorithm: 'none', originalBytes: 0, payload: new Uint8Array(0) })
    const view = new DataView(header.buffer)
    const cases = [
      { original: 0xffff_ffff, payload: 0xffff_ffff, rejected: 0xffff_ffff },
      { original: 16, payload: 0xffff_ffff, rejected: 0xffff_ffff },
    ]
    const before = process.memoryUsage().arrayBuffers
    for (const { original, payload, rejected } of cases) {
      view.setUint32(7, original)
      view.setUint32(11, payload)
      let caught: unknown
      try {
        decodeFrame(header, { maxOriginalBytes: 4096 })
      } catch (err) {
        caught = err
      }
      expect(isDwcpError(caught, 'DWCP_ERR_FRAME_TOO_LARGE'), String(caught)).toBe(true)
      expect((caught as { data: unknown }).data).toEqual({ lengthBytes: rejected, maxBytes: 4096 })
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024)
  })
})
