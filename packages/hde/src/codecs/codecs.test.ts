import { METRIC_NAMES, silentLogger } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../frame.js'
import { lz4Codec } from './lz4-codec.js'
import { CODEC_TEST_SEED, chunkArbitrary, seededBytes } from './test-fixtures/test-chunks.js'
import { CODEC_CASES, quietComponents } from './test-fixtures/test-codec-cases.js'
import { isError, rejection, thrown } from './test-fixtures/test-errors.js'
import { zstdCodec } from './zstd-codec.js'
import { zstdLongCodec } from './zstd-long-codec.js'

const context = { mode: 'internet' } as const

describe.each(CODEC_CASES)('$label codec', ({ algorithm, level, factory, maxTestBytes }) => {
  const codec = factory()(quietComponents)

  it(`is named ${algorithm} and writes its algorithm and level in the frame`, async () => {
    expect(codec.name).toBe(algorithm)
    const encoded = await codec.encode(new Uint8Array(100).fill(1), context)
    expect(encoded).toMatchObject({ algorithm, originalBytes: 100 })
    expect(encoded.baselineId).toBeUndefined()
    const header = decodeFrame(encoded.frame, { maxOriginalBytes: 100, maxPayloadBytes: 1000 })
    expect(header).toMatchObject({ algorithm, level, originalBytes: 100 })
  })

  it('round-trips random, zero, text, structured, mutated, empty and odd-sized chunks', async () => {
    await fc.assert(
      fc.asyncProperty(chunkArbitrary(maxTestBytes), async (chunk) => {
        const { frame } = await codec.encode(chunk, context)
        const decoded = await codec.decode(frame, context)
        expect(Buffer.from(decoded).equals(chunk)).toBe(true)
      }),
      { seed: CODEC_TEST_SEED, numRuns: 60 },
    )
  })

  it('compresses repetitive chunks', async () => {
    const { frame } = await codec.encode(new TextEncoder().encode('dirty page '.repeat(1000)), context)
    expect(frame.length).toBeLessThan(400)
  })

  it('bounds chunks on both sides with DWCP_ERR_FRAME_TOO_LARGE', async () => {
    const small = factory(64)(quietComponents)
    expect(
      isError(await rejection(small.encode(new Uint8Array(65), context)), 'DWCP_ERR_FRAME_TOO_LARGE'),
    ).toBe(true)
    const { frame } = await codec.encode(new Uint8Array(65), context)
    expect(isError(await rejection(small.decode(frame, context)), 'DWCP_ERR_FRAME_TOO_LARGE')).toBe(true)
    const fits = await small.encode(new Uint8Array(64).fill(9), context)
    expect(await small.decode(fits.frame, context)).toEqual(new Uint8Array(64).fill(9))
  })

  it('accepts an incompressible chunk of the largest size', async () => {
    const small = factory(5000)(quietComponents)
    const chunk = seededBytes(5000, 42)
    const { frame } = await small.encode(chunk, context)
    expect(frame.length).toBeGreaterThan(5000)
    expect(await small.decode(frame, context)).toEqual(chunk)
  })

  it('refuses frames of another algorithm or that name a baseline', async () => {
    const { frame } = await codec.encode(new Uint8Array(10), context)
    const { payload } = decodeFrame(frame, { maxOriginalBytes: 10, maxPayloadBytes: 1000 })
    const foreign = encodeFrame({ algorithm: 'none', originalBytes: 10, payload: new Uint8Array(10) })
    expect(
      isError(
        await rejection(codec.decode(foreign, context)),
        'DWCP_ERR_FRAME_CORRUPT',
        /cannot decode algorithm none/,
      ),
    ).toBe(true)
    const named = encodeFrame({ algorithm, level, baselineId: 'vm1/page7', originalBytes: 10, payload })
    expect(
      isError(await rejection(codec.decode(named, context)), 'DWCP_ERR_FRAME_CORRUPT', /takes no baseline/),
    ).toBe(true)
  })

  it('counts original and framed bytes and their ratio, labelled with its algorithm, when metrics are wired', async () => {
    const metrics = memoryMetrics()
    const measured = factory()({ logger: silentLogger(), metrics })
    const first = await measured.encode(new Uint8Array(1000), context)
    const labels = { algorithm }
    // The ratio follows the running totals: after one chunk it is that chunk's, after two their sum's.
    expect(metrics.gaugeValue(METRIC_NAMES.hdeCompressionRatio, labels)).toBe(1000 / first.frame.length)
    const second = await measured.encode(new Uint8Array(24), context)
    await measured.decode(first.frame, context)
    const framed = first.frame.length + second.frame.length
    expect(metrics.series().map(({ name, labels, value }) => ({ name, labels, value }))).toEqual([
      { name: METRIC_NAMES.hdeBytesOriginal, labels, value: 1024 },
      { name: METRIC_NAMES.hdeBytesCompressed, labels, value: framed },
      { name: METRIC_NAMES.hdeCompressionRatio, labels, value: 1024 / framed },
    ])
    expect(1024 / framed).toBeGreaterThan(1) // zeros compress
  })
})

describe('codec options', () => {
  const invalid = (build: () => unknown, pattern: RegExp) =>
    expect(isError(thrown(build), 'DWCP_ERR_INVALID_ARGUMENT', pattern)).toBe(true)

  it('refuses a bound that is not a non-negative integer', () => {
    for (const maxChunkBytes of [-1, 1.5, Number.NaN]) {
      invalid(() => lz4Codec({ maxChunkBytes }), /maxChunkBytes/)
      invalid(() => zstdCodec({ maxChunkBytes }), /maxChunkBytes/)
      invalid(() => zstdLongCodec({ maxChunkBytes }), /maxChunkBytes/)
    }
  })

  it('refuses zstd levels outside -128..22 or 0, and zstd-long levels outside 1..22', () => {
    for (const level of [0, 23, -129, 3.5]) invalid(() => zstdCodec({ level }), /level/)
    for (const level of [0, -1, 23]) invalid(() => zstdLongCodec({ level }), /level/)
  })

  it('refuses windows outside 10..31 and a decoder window below the encoder window', () => {
    invalid(() => zstdCodec({ maxWindowLog: 9 }), /maxWindowLog/)
    invalid(() => zstdLongCodec({ windowLog: 32 }), /windowLog/)
    invalid(() => zstdLongCodec({ windowLog: 27, maxWindowLog: 26 }), /below windowLog 27/)
    expect(() => zstdLongCodec({ windowLog: 28 })).not.toThrow()
  })

  it('lets zstd-long trade level and window', async () => {
    const codec = zstdLongCodec({ level: 22, windowLog: 20, maxWindowLog: 20 })(quietComponents)
    const chunk = new TextEncoder().encode('long window '.repeat(500))
    const { frame } = await codec.encode(chunk, context)
    expect(decodeFrame(frame, { maxOriginalBytes: chunk.length }).level).toBe(22)
    expect(await codec.decode(frame, context)).toEqual(chunk)
  })
})
