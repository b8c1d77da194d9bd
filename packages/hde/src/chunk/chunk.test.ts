import { silentLogger } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lz4Codec } from '../codecs/lz4-codec.js'
import { assertTyped, isError, rejection } from '../codecs/test-fixtures/test-errors.js'
import { zstdCodec } from '../codecs/zstd-codec.js'
import { zstdLongCodec } from '../codecs/zstd-long-codec.js'
import { encodePage } from '../delta/delta-page.js'
import { encodeFrame, FRAME_HEADER_MIN_BYTES } from '../frame.js'
import { noneCodec } from '../none-codec.js'
import { chunkDecoder } from './chunk-decoder.js'
import { lz4UnlessFaster } from './lz4-unless-faster.js'
import { zeroChunks } from './zero-chunks.js'

const components = { logger: silentLogger() }
const context = { mode: 'datacenter' as const }
const MAX = 1024 * 1024

function textChunk(bytes: number): Uint8Array {
  const chunk = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) chunk[i] = 97 + ((i * 7) % 13)
  return chunk
}

describe('zeroChunks', { timeout: 30_000 }, () => {
  it('sends an all-zero chunk as a bare header and decodes it back', async () => {
    const codec = zeroChunks(lz4Codec()(components), { maxChunkBytes: MAX })
    const encoded = await codec.encode(new Uint8Array(MAX), context)
    expect(encoded.algorithm).toBe('zero')
    expect(encoded.frame.byteLength).toBe(FRAME_HEADER_MIN_BYTES)
    expect(await codec.decode(encoded.frame, context)).toEqual(new Uint8Array(MAX))
  })

  it('hands every other chunk to the codec it wraps', async () => {
    const codec = zeroChunks(lz4Codec()(components), { maxChunkBytes: MAX })
    const chunk = textChunk(65536)
    chunk[100] = 0
    const encoded = await codec.encode(chunk, context)
    expect(encoded.algorithm).toBe('lz4')
    expect(await codec.decode(encoded.frame, context)).toEqual(chunk)
  })

  it('refuses a zero frame announcing more than the bound, before allocating it', async () => {
    const codec = zeroChunks(lz4Codec()(components), { maxChunkBytes: 4096 })
    const frame = encodeFrame({ algorithm: 'zero', originalBytes: 1 << 30, payload: new Uint8Array(0) })
    expect(isError(await rejection(codec.decode(frame, context)), 'DWCP_ERR_FRAME_TOO_LARGE')).toBe(true)
  })
})

describe('chunkDecoder', { timeout: 30_000 }, () => {
  const decoder = chunkDecoder({ maxChunkBytes: MAX })(components)

  it('decodes the frames of every whole-chunk codec', async () => {
    const chunk = textChunk(200_000)
    for (const codec of [
      noneCodec()(components),
      lz4Codec()(components),
      zstdCodec({ level: 3 })(components),
      zstdLongCodec({ level: 3 })(components),
      zeroChunks(noneCodec()(components), { maxChunkBytes: MAX }),
    ]) {
      const { frame } = await codec.encode(chunk, context)
      expect(await decoder.decode(frame, context)).toEqual(chunk)
    }
    const zero = await zeroChunks(noneCodec()(components), { maxChunkBytes: MAX }).encode(
      new Uint8Array(4096),
      context,
    )
    expect(await decoder.decode(zero.frame, context)).toEqual(new Uint8Array(4096))
  })

  it('refuses frames that need a baseline, and refuses to encode', async () => {
    const page = textChunk(4096)
    const changed = page.slice()
    changed[5] = 1
    const delta = encodePage(changed, 'p1', page, 3)
    assertTyped(await rejection(decoder.decode(delta.frame, context)), ['DWCP_ERR_FRAME_CORRUPT'])
    assertTyped(await rejection(decoder.encode(page, context)), ['DWCP_ERR_INVALID_ARGUMENT'])
  })

  it('rejects any corrupt or truncated frame with a typed error (fuzz)', async () => {
    const { frame } = await lz4Codec()(components).encode(textChunk(8192), context)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }),
          fc.tuple(fc.nat(frame.byteLength - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const bad = frame.slice()
            bad[at] = (bad[at] as number) ^ xor
            return bad
          }),
          fc.nat(frame.byteLength - 1).map((length) => frame.subarray(0, length)),
        ),
        async (bytes) => {
          try {
            const out = await decoder.decode(bytes, context)
            expect(out.byteLength).toBeLessThanOrEqual(MAX)
          } catch (err) {
            assertTyped(err, ['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE'])
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('lz4UnlessFaster', () => {
  it('uses lz4 until a measured path is faster than lz4 encodes, then sends chunks as they are', async () => {
    let now = 0
    const lz4 = lz4Codec()(components)
    const timedLz4 = {
      ...lz4,
      name: lz4.name,
      encode: async (chunk: Uint8Array, ctx: typeof context) => {
        now += 1 // 1 ms per 64 KiB chunk: about 524 Mbit/s
        return lz4.encode(chunk, ctx)
      },
    }
    const codec = lz4UnlessFaster({ lz4: timedLz4, none: noneCodec()(components), nowMs: () => now })
    const chunk = textChunk(65536)
    expect((await codec.encode(chunk, context)).algorithm).toBe('lz4')
    expect(codec.lz4RateBps).toBeCloseTo(524_288_000, -3)
    // Unmeasured path: lz4. A path slower than lz4: lz4. Faster than lz4 on the cores allowed: none.
    expect((await codec.encode(chunk, context)).algorithm).toBe('lz4')
    expect((await codec.encode(chunk, { ...context, predictedBandwidthBps: 100e6 })).algorithm).toBe('lz4')
    const fast = { ...context, predictedBandwidthBps: 10e9 }
    const raw = await codec.encode(chunk, fast)
    expect(raw.algorithm).toBe('none')
    expect(await codec.decode(raw.frame, context)).toEqual(chunk)
    expect((await codec.encode(chunk, { ...fast, cpuBudgetCores: 32 })).algorithm).toBe('lz4')
  })

  it('measures lz4 again now and then while chunks go as they are, and counts encodes at once as one busy time', async () => {
    let now = 0
    const lz4 = lz4Codec()(components)
    const pending: Array<() => void> = []
    // Each encode finishes when the test says: two run at once over the same 2 ms.
    const heldLz4 = {
      ...lz4,
      name: lz4.name,
      encode: async (chunk: Uint8Array, ctx: typeof context) => {
        await new Promise<void>((resolve) => pending.push(resolve))
        return lz4.encode(chunk, ctx)
      },
    }
    const codec = lz4UnlessFaster({ lz4: heldLz4, none: noneCodec()(components), nowMs: () => now })
    const chunk = textChunk(65536)
    const both = [codec.encode(chunk, context), codec.encode(chunk, context)]
    now += 2
    for (const release of pending.splice(0)) release()
    await Promise.all(both)
    // 2 × 64 KiB in 2 ms of busy time: about 524 Mbit/s, as one chunk per ms would be.
    expect(codec.lz4RateBps).toBeCloseTo(524_288_000, -3)
    const fast = { ...context, predictedBandwidthBps: 10e9 }
    const algorithms: string[] = []
    for (let i = 0; i < 32; i++) {
      const encoding = codec.encode(chunk, fast)
      now += 1
      for (const release of pending.splice(0)) release()
      algorithms.push((await encoding).algorithm)
    }
    expect(algorithms.filter((a) => a === 'lz4')).toHaveLength(2)
  })
})
