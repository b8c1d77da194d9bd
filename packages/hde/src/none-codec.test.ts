import { isDwcpError, METRIC_NAMES, silentLogger } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from './frame.js'
import { noneCodec } from './none-codec.js'

const context = { mode: 'datacenter' } as const

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection, the promise resolved')
}

describe('noneCodec', () => {
  const codec = noneCodec()({ logger: silentLogger() })

  it('is named none', () => {
    expect(codec.name).toBe('none')
  })

  it('round-trips random, zero and text chunks', async () => {
    const chunks = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      fc.nat({ max: 8192 }).map((length) => new Uint8Array(length)),
      fc.string({ unit: 'grapheme', maxLength: 500 }).map((text) => new TextEncoder().encode(text)),
    )
    await fc.assert(
      fc.asyncProperty(chunks, async (chunk) => {
        const encoded = await codec.encode(chunk, context)
        expect(encoded).toMatchObject({ algorithm: 'none', originalBytes: chunk.length })
        expect(encoded.baselineId).toBeUndefined()
        expect(decodeFrame(encoded.frame, { maxOriginalBytes: chunk.length }).algorithm).toBe('none')
        expect(await codec.decode(encoded.frame, context)).toEqual(chunk)
      }),
      { numRuns: 500 },
    )
  })

  it('returns a copy that does not alias the frame', async () => {
    const { frame } = await codec.encode(new Uint8Array([1, 2, 3]), context)
    const chunk = await codec.decode(frame, context)
    frame.fill(0)
    expect(chunk).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('rejects a corrupt frame with DWCP_ERR_FRAME_CORRUPT', async () => {
    const { frame } = await codec.encode(new Uint8Array([1, 2, 3]), context)
    frame[frame.length - 1]! ^= 0x10
    expect(isDwcpError(await rejection(codec.decode(frame, context)), 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
  })

  it('rejects a valid frame whose payload size differs from its original size', async () => {
    const frame = encodeFrame({ algorithm: 'none', originalBytes: 4, payload: new Uint8Array(3) })
    const err = await rejection(codec.decode(frame, context))
    expect(isDwcpError(err, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    expect((err as Error).message).toMatch(/payload of 3 bytes, original size 4/)
  })

  it('bounds chunks on both sides with DWCP_ERR_FRAME_TOO_LARGE', async () => {
    const small = noneCodec({ maxChunkBytes: 8 })({ logger: silentLogger() })
    const tooLarge = 'DWCP_ERR_FRAME_TOO_LARGE'
    expect(isDwcpError(await rejection(small.encode(new Uint8Array(9), context)), tooLarge)).toBe(true)
    const { frame } = await codec.encode(new Uint8Array(9), context)
    expect(isDwcpError(await rejection(small.decode(frame, context)), tooLarge)).toBe(true)
    expect(await small.decode((await small.encode(new Uint8Array(8), context)).frame, context)).toHaveLength(
      8,
    )
  })

  it('refuses a bound that is not a non-negative integer', () => {
    for (const maxChunkBytes of [-1, 1.5, Number.NaN]) {
      let caught: unknown
      try {
        noneCodec({ maxChunkBytes })
      } catch (err) {
        caught = err
      }
      expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })

  it('counts original and framed bytes and their ratio per algorithm when metrics are wired', async () => {
    const metrics = memoryMetrics()
    const measured = noneCodec()({ logger: silentLogger(), metrics })
    const first = await measured.encode(new Uint8Array(100), context)
    const second = await measured.encode(new Uint8Array(28), context)
    await measured.decode(first.frame, context)
    const framed = first.frame.length + second.frame.length
    expect(metrics.series().map(({ name, labels, value }) => ({ name, labels, value }))).toEqual([
      { name: METRIC_NAMES.hdeBytesOriginal, labels: { algorithm: 'none' }, value: 128 },
      { name: METRIC_NAMES.hdeBytesCompressed, labels: { algorithm: 'none' }, value: framed },
      { name: METRIC_NAMES.hdeCompressionRatio, labels: { algorithm: 'none' }, value: 128 / framed },
    ])
    expect(first.frame.length).toBe(119)
  })
})
