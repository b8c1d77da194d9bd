import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import binding from 'zstd-napi/binding.js'
import { CODEC_TEST_SEED, chunkArbitrary, seededBytes } from './test-fixtures/test-chunks.js'
import { assertTyped, isError, thrown } from './test-fixtures/test-errors.js'
import {
  ZSTD_LEVEL_MAX,
  ZSTD_LEVEL_MIN,
  zstdCompressPayload,
  zstdDecompressPayload,
  zstdMaxPayloadBytes,
} from './zstd-payload.js'

const corrupt = 'DWCP_ERR_FRAME_CORRUPT'
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b)
const zstdMagic = [0x28, 0xb5, 0x2f, 0xfd]

/** A zstd frame that does not record its content size, as the CLI writes when it reads a pipe. */
function withoutContentSize(bytes: Uint8Array, windowLog?: number): Uint8Array {
  const context = new binding.CCtx()
  context.setParameter(binding.CParameter.compressionLevel, 1)
  context.setParameter(binding.CParameter.contentSizeFlag, 0)
  if (windowLog !== undefined) context.setParameter(binding.CParameter.windowLog, windowLog)
  const out = new Uint8Array(binding.compressBound(bytes.length))
  return out.slice(0, context.compress2(out, bytes))
}

/** A hand-built frame with window 2^windowLog, no content size, and one raw block holding `x`. */
function frameWithWindow(windowLog: number): Uint8Array {
  // Window descriptor: exponent (windowLog - 10) in the high five bits, mantissa 0. Block header: last, raw, 1 byte.
  return Uint8Array.from([...zstdMagic, 0x00, (windowLog - 10) << 3, 0x09, 0x00, 0x00, 0x78])
}

describe('zstd payloads', () => {
  it('round-trip every kind of chunk at every level, with and without the exact size', () => {
    const level = fc.integer({ min: ZSTD_LEVEL_MIN, max: ZSTD_LEVEL_MAX }).filter((value) => value !== 0)
    fc.assert(
      fc.property(chunkArbitrary(20_000), level, (chunk, lvl) => {
        const payload = zstdCompressPayload(chunk, { level: lvl })
        expect(payload.length).toBeLessThanOrEqual(zstdMaxPayloadBytes(chunk.length))
        expect(binding.getFrameContentSize(payload)).toBe(chunk.length)
        expect(
          same(
            zstdDecompressPayload(payload, { maxOutputBytes: chunk.length, expectedBytes: chunk.length }),
            chunk,
          ),
        ).toBe(true)
        expect(same(zstdDecompressPayload(payload, { maxOutputBytes: chunk.length }), chunk)).toBe(true)
      }),
      { seed: CODEC_TEST_SEED, numRuns: 200 },
    )
  })

  it('round-trips with a long window and long-distance matching', () => {
    const block = seededBytes(40_000, 3)
    const chunk = new Uint8Array(200_000)
    chunk.set(block, 0)
    chunk.set(block, 150_000)
    const options = { level: 19, windowLog: 27, longDistanceMatching: true }
    const payload = zstdCompressPayload(chunk, options)
    expect(payload.length).toBeLessThan(41_000)
    expect(
      same(
        zstdDecompressPayload(payload, { maxOutputBytes: chunk.length, expectedBytes: chunk.length }),
        chunk,
      ),
    ).toBe(true)
  })

  it('uses a baseline as raw-content dictionary, and refuses to decode without the same one', () => {
    const baseline = seededBytes(8192, 11)
    const page = baseline.slice()
    page.fill(0, 100, 140)
    const plain = zstdCompressPayload(page, { level: 3 })
    const delta = zstdCompressPayload(page, { level: 3, dictionary: baseline })
    expect(delta.length).toBeLessThan(plain.length / 20)
    const bound = { maxOutputBytes: page.length, expectedBytes: page.length }
    expect(same(zstdDecompressPayload(delta, { ...bound, dictionary: baseline }), page)).toBe(true)
    expect(
      isError(
        thrown(() => zstdDecompressPayload(delta, bound)),
        corrupt,
        /^corrupt frame: zstd: ./,
      ),
    ).toBe(true)
    const other = baseline.slice()
    other[5]! ^= 1
    expect(
      isError(
        thrown(() => zstdDecompressPayload(delta, { ...bound, dictionary: other })),
        corrupt,
      ),
    ).toBe(true)
  })

  it('treats a dictionary that starts with the zstd dictionary magic, or a tiny one, as raw content too', () => {
    const baseline = seededBytes(4096, 5)
    baseline.set([0x37, 0xa4, 0x30, 0xec], 0)
    for (const dictionary of [baseline, baseline.subarray(0, 6)]) {
      const page = dictionary.slice()
      const payload = zstdCompressPayload(page, { level: 5, dictionary })
      const options = { maxOutputBytes: page.length, expectedBytes: page.length, dictionary }
      expect(same(zstdDecompressPayload(payload, options), page)).toBe(true)
    }
  })

  it('stops a bomb without a content size at the announced size', () => {
    const bomb = withoutContentSize(new Uint8Array(16 * 1024 * 1024))
    expect(binding.getFrameContentSize(bomb)).toBeNull()
    const exact = thrown(() => zstdDecompressPayload(bomb, { maxOutputBytes: 1 << 30, expectedBytes: 4096 }))
    expect(isError(exact, corrupt, /more than the announced 4096/)).toBe(true)
    const bounded = thrown(() => zstdDecompressPayload(bomb, { maxOutputBytes: 100_000 }))
    expect(isError(bounded, corrupt, /more than the bound of 100000/)).toBe(true)
  })

  it('refuses a content size other than the announced one, or above the bound, before decoding', () => {
    const payload = zstdCompressPayload(new Uint8Array(16 * 1024 * 1024), { level: 1 })
    const exact = thrown(() =>
      zstdDecompressPayload(payload, { maxOutputBytes: 1 << 30, expectedBytes: 4096 }),
    )
    expect(isError(exact, corrupt, /content size 16777216 is not the announced 4096/)).toBe(true)
    const bounded = thrown(() => zstdDecompressPayload(payload, { maxOutputBytes: 4096 }))
    expect(isError(bounded, 'DWCP_ERR_FRAME_TOO_LARGE')).toBe(true)
  })

  it('decodes a frame without a content size into a growing buffer', () => {
    const chunk = seededBytes(1_000_000, 9).map((byte) => byte & 0x03)
    const payload = withoutContentSize(chunk)
    expect(same(zstdDecompressPayload(payload, { maxOutputBytes: 2_000_000 }), chunk)).toBe(true)
    const short = thrown(() =>
      zstdDecompressPayload(payload, { maxOutputBytes: 2_000_000, expectedBytes: 1_000_001 }),
    )
    expect(isError(short, corrupt, /decodes to 1000000 bytes, not the announced 1000001/)).toBe(true)
  })

  it('bounds the window a frame may ask for', () => {
    expect(zstdDecompressPayload(frameWithWindow(20), { maxOutputBytes: 1, maxWindowLog: 20 })).toEqual(
      Uint8Array.of(0x78),
    )
    const small = thrown(() =>
      zstdDecompressPayload(frameWithWindow(20), { maxOutputBytes: 1, maxWindowLog: 19 }),
    )
    expect(isError(small, corrupt, /zstd: .*memory/i)).toBe(true)
    const beyondDefault = thrown(() => zstdDecompressPayload(frameWithWindow(28), { maxOutputBytes: 1 }))
    expect(isError(beyondDefault, corrupt, /zstd: .*memory/i)).toBe(true)
  })

  it('demands exactly one zstd frame', () => {
    const one = zstdCompressPayload(new Uint8Array(10), { level: 3 })
    const cases: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.from([...one, ...one]), /trailing bytes/],
      [Uint8Array.from([...one, 0]), /1 trailing bytes/],
      [Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]), /bad magic/],
      [new Uint8Array(0), /bad magic/],
      [Uint8Array.from(zstdMagic), /zstd frame header: ./],
      [one.subarray(0, one.length - 2), /truncated|zstd: ./],
      [Uint8Array.from([...zstdMagic, 0x20, 0x0a, 0xff, 0xff, 0xff]), /zstd: ./],
    ]
    for (const [payload, reason] of cases) {
      const err = thrown(() => zstdDecompressPayload(payload, { maxOutputBytes: 100 }))
      expect(isError(err, corrupt, reason), `${reason}: ${String(err)}`).toBe(true)
    }
  })

  it('refuses levels, windows and bounds outside their range', () => {
    const bytes = new Uint8Array(8)
    for (const level of [0, 23, -129, 2.5, Number.NaN]) {
      expect(
        isError(
          thrown(() => zstdCompressPayload(bytes, { level })),
          'DWCP_ERR_INVALID_ARGUMENT',
        ),
      ).toBe(true)
    }
    for (const windowLog of [9, 32]) {
      const err = thrown(() => zstdCompressPayload(bytes, { level: 3, windowLog }))
      expect(isError(err, 'DWCP_ERR_INVALID_ARGUMENT', /windowLog/)).toBe(true)
    }
    const payload = zstdCompressPayload(bytes, { level: 3 })
    for (const options of [
      { maxOutputBytes: 8, maxWindowLog: 9 },
      { maxOutputBytes: -1 },
      { maxOutputBytes: 7, expectedBytes: 8 },
    ]) {
      expect(
        isError(
          thrown(() => zstdDecompressPayload(payload, options)),
          'DWCP_ERR_INVALID_ARGUMENT',
        ),
      ).toBe(true)
    }
  })

  it('decodes arbitrary or damaged payloads within the bound or throws a typed error', () => {
    const valid = zstdCompressPayload(
      seededBytes(3000, 7).map((byte) => byte & 0x0f),
      { level: 3 },
    )
    const damaged = fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
      const copy = valid.slice()
      copy[at]! ^= xor
      return copy
    })
    const prefixed = fc.uint8Array({ maxLength: 300 }).map((rest) => Uint8Array.from([...zstdMagic, ...rest]))
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), damaged, prefixed), (payload) => {
        try {
          expect(zstdDecompressPayload(payload, { maxOutputBytes: 4000 }).length).toBeLessThanOrEqual(4000)
        } catch (err) {
          assertTyped(err, [corrupt, 'DWCP_ERR_FRAME_TOO_LARGE'])
        }
      }),
      { seed: CODEC_TEST_SEED, numRuns: 1000 },
    )
  })
})
