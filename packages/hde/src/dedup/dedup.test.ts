/** Round trips through a dedup encoder and decoder: repeated content, pluggable literals, bounded indexes. */
import { isDwcpError, silentLogger } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../frame.js'
import { noneCodec } from '../none-codec.js'
import type { CdcOptions } from './cdc-options.js'
import { dedupDecoder } from './dedup-decoder.js'
import { dedupEncoder } from './dedup-encoder.js'
import { DEDUP_REF_FRAME_BYTES } from './dedup-ref.js'
import { literalsFromCodec } from './literal-codec.js'
import { seededBytes } from './seeded-bytes.js'

const KiB = 1024
const small: CdcOptions = { minSizeBytes: 256, averageSizeBytes: 1024, maxSizeBytes: 4096 }

async function collect(items: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const item of items) out.push(item)
  return out
}

function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts)
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection, the promise resolved')
}

const algorithmOf = (frame: Uint8Array) => decodeFrame(frame, { maxOriginalBytes: 64 * 1024 * KiB }).algorithm

describe('dedupEncoder and dedupDecoder', () => {
  it('round-trips and sends a repeated copy within one stream mostly as references', async () => {
    const block = seededBytes(1, 1024 * KiB)
    const input = concat([block, seededBytes(2, 100 * KiB), block])
    const encoder = dedupEncoder()
    const decoder = dedupDecoder()
    const frames = await collect(encoder.encode([input]))
    expect(concat(await collect(decoder.decode(frames))).equals(input)).toBe(true)
    expect(encoder.stats.bytesIn).toBe(input.length)
    expect(encoder.stats.bytesReferenced + encoder.stats.bytesLiteral).toBe(input.length)
    // The second copy re-synchronises within a chunk or two of its start; the rest is references.
    expect(encoder.stats.bytesReferenced).toBeGreaterThan(0.85 * block.length)
    expect(encoder.stats.chunks).toBe(frames.length)
    expect(encoder.stats.frameBytes).toBe(concat(frames).length)
    expect(decoder.stats).toEqual(encoder.stats)
  })

  it('sends a second copy in a later call as references only', async () => {
    const image = seededBytes(3, 2048 * KiB)
    const encoder = dedupEncoder()
    const decoder = dedupDecoder()
    const first = await collect(encoder.encode([image]))
    const literalBytes = encoder.stats.bytesLiteral
    expect(literalBytes).toBe(image.length)
    // A different split of the same bytes: chunking is content-defined, so the chunks are the same.
    const second = await collect(encoder.encode([image.subarray(0, 12345), image.subarray(12345)]))
    expect(second.every((frame) => algorithmOf(frame) === 'dedup-ref')).toBe(true)
    expect(second.every((frame) => frame.length === DEDUP_REF_FRAME_BYTES)).toBe(true)
    expect(encoder.stats.bytesLiteral).toBe(literalBytes)
    expect(encoder.stats.bytesReferenced).toBe(image.length)
    expect(concat(second).length).toBeLessThan(image.length / 500)
    expect(concat(await collect(decoder.decode(first))).equals(image)).toBe(true)
    expect(concat(await collect(decoder.decode(second))).equals(image)).toBe(true)
    expect(decoder.stats.bytesReferenced).toBe(image.length)
  })

  it('agrees under eviction: small indexes, many repeats, any split', async () => {
    const blocks = [0, 1, 2, 3, 4, 5].map((seed) => seededBytes(seed, 3000))
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 4096, max: 20_000 }),
        async (order, maxEntries, maxBytes) => {
          const input = concat(order.map((k) => blocks[k]!))
          const index = { maxEntries, maxBytes }
          const encoder = dedupEncoder({ chunking: small, index })
          const decoder = dedupDecoder({ maxChunkBytes: 4096, index })
          const frames = await collect(encoder.encode([input.subarray(0, 777), input.subarray(777)]))
          expect(concat(await collect(decoder.decode(frames))).equals(input)).toBe(true)
          expect(decoder.index.entryCount).toBe(encoder.index.entryCount)
          expect(decoder.index.sizeBytes).toBe(encoder.index.sizeBytes)
          expect(decoder.stats).toEqual(encoder.stats)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('uses a pluggable literal encoder and decoder', async () => {
    // A toy literal format: the chunk reversed, in a none frame at level 1, to prove the plug-ins are called.
    let encoded = 0
    let decoded = 0
    const encoder = dedupEncoder({
      chunking: small,
      encodeLiteral: (chunk) => {
        encoded++
        return encodeFrame({
          algorithm: 'none',
          level: 1,
          originalBytes: chunk.length,
          payload: chunk.slice().reverse(),
        })
      },
    })
    const decoder = dedupDecoder({
      maxChunkBytes: 4096,
      decodeLiteral: async (frame, maxChunkBytes) => {
        decoded++
        return decodeFrame(frame, { maxOriginalBytes: maxChunkBytes }).payload.slice().reverse()
      },
    })
    const input = concat([seededBytes(5, 20 * KiB), seededBytes(5, 20 * KiB)])
    const frames = await collect(encoder.encode([input]))
    expect(concat(await collect(decoder.decode(frames))).equals(input)).toBe(true)
    expect(encoded).toBe(encoder.stats.literalChunks)
    expect(decoded).toBe(encoded)
    expect(encoder.stats.referencedChunks).toBeGreaterThan(0)
  })

  it('adapts a Codec for literals', async () => {
    const literals = literalsFromCodec(noneCodec()({ logger: silentLogger() }), { mode: 'internet' })
    const encoder = dedupEncoder({ encodeLiteral: literals.encodeLiteral })
    const decoder = dedupDecoder({ decodeLiteral: literals.decodeLiteral })
    const input = seededBytes(6, 300 * KiB)
    expect(concat(await collect(decoder.decode(await collect(encoder.encode([input]))))).equals(input)).toBe(
      true,
    )
  })

  it('keeps call order when encodeChunk and decodeChunk calls overlap with slow literal codecs', async () => {
    const delays = [5, 0, 3, 1, 4, 0, 2]
    let call = 0
    const slowly = <T>(value: T) =>
      new Promise<T>((resolve) => setTimeout(() => resolve(value), delays[call++ % delays.length]))
    const encoder = dedupEncoder({
      chunking: small,
      encodeLiteral: (chunk) =>
        slowly(encodeFrame({ algorithm: 'none', originalBytes: chunk.length, payload: chunk })),
    })
    const decoder = dedupDecoder({
      maxChunkBytes: 4096,
      decodeLiteral: (frame) => slowly(decodeFrame(frame, { maxOriginalBytes: 4096 }).payload.slice()),
    })
    const chunks = [1, 2, 1, 3, 2, 4, 1].map((seed) => seededBytes(seed, 1000 + seed))
    const frames = await Promise.all(chunks.map((chunk) => encoder.encodeChunk(chunk)))
    expect(frames.map(algorithmOf)).toEqual([
      'none',
      'none',
      'dedup-ref',
      'none',
      'dedup-ref',
      'none',
      'dedup-ref',
    ])
    const decoded = await Promise.all(frames.map((frame) => decoder.decodeChunk(frame)))
    expect(decoded.map((chunk) => Buffer.from(chunk).toString('hex'))).toEqual(
      chunks.map((chunk) => Buffer.from(chunk).toString('hex')),
    )
  })

  it('hands out chunks the caller may overwrite without damaging later references', async () => {
    const encoder = dedupEncoder({ chunking: small })
    const decoder = dedupDecoder({ maxChunkBytes: 4096 })
    const chunk = seededBytes(7, 2000)
    const first = await decoder.decodeChunk(await encoder.encodeChunk(chunk))
    first.fill(0)
    const second = await decoder.decodeChunk(await encoder.encodeChunk(chunk))
    second.fill(1)
    expect(await decoder.decodeChunk(await encoder.encodeChunk(chunk))).toEqual(chunk)
  })

  it('refuses empty or oversized chunks and a literal encoder that emits references', async () => {
    const encoder = dedupEncoder({ chunking: small })
    expect(
      isDwcpError(await rejection(encoder.encodeChunk(new Uint8Array(0))), 'DWCP_ERR_INVALID_ARGUMENT'),
    ).toBe(true)
    expect(
      isDwcpError(await rejection(encoder.encodeChunk(new Uint8Array(4097))), 'DWCP_ERR_FRAME_TOO_LARGE'),
    ).toBe(true)
    const rogue = dedupEncoder({
      encodeLiteral: (chunk) =>
        encodeFrame({ algorithm: 'dedup-ref', originalBytes: chunk.length, payload: chunk }),
    })
    expect(
      isDwcpError(await rejection(rogue.encodeChunk(new Uint8Array(10))), 'DWCP_ERR_INVALID_ARGUMENT'),
    ).toBe(true)
  })

  it('refuses decoder bounds outside their domain', () => {
    for (const maxChunkBytes of [0, -1, 1.5, 64 * 1024 * KiB + 1]) {
      let caught: unknown
      try {
        dedupDecoder({ maxChunkBytes })
      } catch (err) {
        caught = err
      }
      expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT'), String(maxChunkBytes)).toBe(true)
    }
  })

  it('stops with DWCP_ERR_ABORTED when the signal fires', async () => {
    const controller = new AbortController()
    const frames = dedupEncoder({ chunking: small }).encode([seededBytes(8, 64 * KiB)], {
      signal: controller.signal,
    })
    await frames.next()
    controller.abort()
    expect(isDwcpError(await rejection(frames.next()), 'DWCP_ERR_ABORTED')).toBe(true)
  })
})
