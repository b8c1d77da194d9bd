import { crc32c, type DwcpErrorCode, isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, FRAME_BASELINE_ID_MAX_BYTES, FRAME_HEADER_MIN_BYTES } from './frame.js'

const bound = { maxOriginalBytes: 1 << 20 }

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'))
}

/** Rewrites the CRC of a (modified) frame with no baseline so that only the change under test is wrong. */
function resealed(frame: Uint8Array): Uint8Array {
  const copy = frame.slice()
  const view = new DataView(copy.buffer)
  view.setUint32(15, crc32c(copy.subarray(FRAME_HEADER_MIN_BYTES), crc32c(copy.subarray(0, 15))))
  return copy
}

function errorOf(run: () => unknown): unknown {
  try {
    run()
  } catch (err) {
    return err
  }
  throw new Error('expected an error, none was thrown')
}

function expectCode(run: () => unknown, code: DwcpErrorCode, message?: RegExp): void {
  const err = errorOf(run)
  expect(isDwcpError(err, code), String(err)).toBe(true)
  if (message) expect((err as Error).message).toMatch(message)
}

describe('encodeFrame / decodeFrame', () => {
  it('writes the documented layout (golden bytes)', () => {
    const frame = encodeFrame({ algorithm: 'none', originalBytes: 3, payload: new Uint8Array([1, 2, 3]) })
    expect(hex(frame)).toBe(
      '4844' + '01' + '00' + '00' + '00' + '00' + '00000003' + '00000003' + '782da0ef' + '010203',
    )
    const withBaseline = encodeFrame({
      algorithm: 'none',
      level: -3,
      baselineId: 'vm1',
      originalBytes: 2,
      payload: new Uint8Array([0xaa, 0xbb]),
    })
    expect(hex(withBaseline)).toBe('48440100fd0003766d310000000200000002205c7538aabb')
  })

  it('round-trips every field', () => {
    const baselineId = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.integer({ min: -128, max: 127 }),
        fc.option(baselineId, { nil: undefined }),
        fc.nat({ max: 1 << 20 }),
        (payload, level, baseline, originalBytes) => {
          const frame = encodeFrame({
            algorithm: 'none',
            level,
            baselineId: baseline,
            originalBytes,
            payload,
          })
          const decoded = decodeFrame(frame, bound)
          expect(decoded).toEqual({
            algorithm: 'none',
            level,
            flags: 0,
            originalBytes,
            payload,
            baselineId: baseline,
          })
          expect('baselineId' in decoded).toBe(baseline !== undefined)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('keeps a baseline id byte for byte, a leading BOM included', () => {
    const baselineId = '\uFEFFvm-7/page-12'
    const frame = encodeFrame({ algorithm: 'none', baselineId, originalBytes: 0, payload: new Uint8Array(0) })
    expect(decodeFrame(frame, bound).baselineId).toBe(baselineId)
  })

  it('accepts a baseline id of exactly the maximum length', () => {
    const baselineId = 'b'.repeat(FRAME_BASELINE_ID_MAX_BYTES)
    const frame = encodeFrame({ algorithm: 'none', baselineId, originalBytes: 0, payload: new Uint8Array(0) })
    expect(frame.length).toBe(FRAME_HEADER_MIN_BYTES + FRAME_BASELINE_ID_MAX_BYTES)
    expect(decodeFrame(frame, bound).baselineId).toBe(baselineId)
  })

  it('refuses fields outside their domain with DWCP_ERR_INVALID_ARGUMENT', () => {
    const payload = new Uint8Array(1)
    const invalid = 'DWCP_ERR_INVALID_ARGUMENT'
    expectCode(() => encodeFrame({ algorithm: 'brotli' as 'none', originalBytes: 1, payload }), invalid)
    expectCode(() => encodeFrame({ algorithm: 'toString' as 'none', originalBytes: 1, payload }), invalid)
    expectCode(() => encodeFrame({ algorithm: 'none', level: 128, originalBytes: 1, payload }), invalid)
    expectCode(() => encodeFrame({ algorithm: 'none', level: 1.5, originalBytes: 1, payload }), invalid)
    expectCode(() => encodeFrame({ algorithm: 'none', originalBytes: -1, payload }), invalid)
    expectCode(() => encodeFrame({ algorithm: 'none', originalBytes: 2 ** 32, payload }), invalid)
    expectCode(() => encodeFrame({ algorithm: 'none', baselineId: '', originalBytes: 1, payload }), invalid)
    expectCode(
      () => encodeFrame({ algorithm: 'none', baselineId: '\uD800', originalBytes: 1, payload }),
      invalid,
    )
    const tooLong = 'é'.repeat(128)
    expectCode(
      () => encodeFrame({ algorithm: 'none', baselineId: tooLong, originalBytes: 1, payload }),
      invalid,
    )
    expectCode(() => decodeFrame(new Uint8Array(0), { maxOriginalBytes: -1 }), invalid)
  })

  it('rejects each malformed header field with DWCP_ERR_FRAME_CORRUPT and a reason', () => {
    const frame = encodeFrame({ algorithm: 'none', originalBytes: 3, payload: new Uint8Array([1, 2, 3]) })
    const corrupt = 'DWCP_ERR_FRAME_CORRUPT'
    const patched = (offset: number, value: number) => {
      const copy = frame.slice()
      copy[offset] = value
      return resealed(copy)
    }
    expectCode(() => decodeFrame(patched(0, 0x00), bound), corrupt, /bad magic 0x0044/)
    expectCode(() => decodeFrame(patched(2, 2), bound), corrupt, /format version 2/)
    expectCode(() => decodeFrame(patched(3, 200), bound), corrupt, /unknown algorithm id 200/)
    expectCode(() => decodeFrame(patched(5, 0x80), bound), corrupt, /unknown flags 0x80/)
    const payloadChanged = frame.slice()
    payloadChanged[21] = 9
    expectCode(
      () => decodeFrame(payloadChanged, bound),
      corrupt,
      /checksum 0x[0-9a-f]{8} does not match 0x782da0ef/,
    )
    expectCode(() => decodeFrame(frame.subarray(0, 21), bound), corrupt, /truncated/)
    expectCode(() => decodeFrame(new Uint8Array([...frame, 0]), bound), corrupt, /1 trailing bytes/)
  })

  it('rejects a baseline id that is not UTF-8, even with a valid checksum', () => {
    const frame = encodeFrame({
      algorithm: 'none',
      baselineId: 'ab',
      originalBytes: 0,
      payload: new Uint8Array(0),
    })
    frame[7] = 0xff
    const view = new DataView(frame.buffer)
    view.setUint32(17, crc32c(frame.subarray(0, 17)))
    expectCode(() => decodeFrame(frame, bound), 'DWCP_ERR_FRAME_CORRUPT', /not valid UTF-8/)
  })

  it('bounds the original and the payload size separately', () => {
    const frame = encodeFrame({ algorithm: 'none', originalBytes: 10, payload: new Uint8Array(4) })
    expect(decodeFrame(frame, { maxOriginalBytes: 10 }).originalBytes).toBe(10)
    expectCode(() => decodeFrame(frame, { maxOriginalBytes: 9 }), 'DWCP_ERR_FRAME_TOO_LARGE')
    expectCode(
      () => decodeFrame(frame, { maxOriginalBytes: 10, maxPayloadBytes: 3 }),
      'DWCP_ERR_FRAME_TOO_LARGE',
    )
    const err = errorOf(() => decodeFrame(frame, { maxOriginalBytes: 9 }))
    expect((err as { data: unknown }).data).toEqual({ lengthBytes: 10, maxBytes: 9 })
  })

  it('decodes a frame that sits inside a larger buffer', () => {
    const frame = encodeFrame({ algorithm: 'none', originalBytes: 2, payload: new Uint8Array([5, 6]) })
    const outer = new Uint8Array(frame.length + 8)
    outer.set(frame, 4)
    expect(decodeFrame(outer.subarray(4, 4 + frame.length), bound).payload).toEqual(new Uint8Array([5, 6]))
  })

  it('reads the golden frame back', () => {
    const decoded = decodeFrame(fromHex('48440100fd0003766d310000000200000002205c7538aabb'), bound)
    expect(decoded).toMatchObject({ algorithm: 'none', level: -3, baselineId: 'vm1', originalBytes: 2 })
  })
})
