/**
 * Fuzzing the dedup decoder (DESIGN.md §9): random bytes, plausible references, truncated and bit-flipped frames
 * give `DWCP_ERR_FRAME_CORRUPT` or `DWCP_ERR_FRAME_TOO_LARGE` and nothing else, never a wrong chunk, never an
 * allocation for an announced size above the bound.
 */
import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame, FRAME_ALGORITHMS, FRAME_MAGIC, FRAME_VERSION } from '../frame.js'
import type { CdcOptions } from './cdc-options.js'
import { dedupDecoder } from './dedup-decoder.js'
import { dedupEncoder } from './dedup-encoder.js'
import { encodeDedupRef } from './dedup-ref.js'
import { seededBytes } from './seeded-bytes.js'
import { strongHash } from './strong-hash.js'

const small: CdcOptions = { minSizeBytes: 256, averageSizeBytes: 1024, maxSizeBytes: 4096 }
const maxChunkBytes = 4096

/** Frames of a stream with repeats (so it holds both literals and references) and the chunks they decode to. */
async function sampleStream(): Promise<{ frames: Uint8Array[]; chunks: Uint8Array[] }> {
  const block = seededBytes(1, 6000)
  const input = Buffer.concat([block, seededBytes(2, 3000), block])
  const encoder = dedupEncoder({ chunking: small })
  const decoder = dedupDecoder({ maxChunkBytes })
  const frames: Uint8Array[] = []
  for await (const frame of encoder.encode([input])) frames.push(frame)
  const chunks: Uint8Array[] = []
  for (const frame of frames) chunks.push(await decoder.decodeChunk(frame))
  expect(encoder.stats.referencedChunks).toBeGreaterThan(0)
  return { frames, chunks }
}

/** Decodes `frames[0 .. k)` intact, then `bad`; returns the error it raised, or the chunk if it decoded. */
async function decodeAfterPrefix(frames: Uint8Array[], k: number, bad: Uint8Array): Promise<unknown> {
  const decoder = dedupDecoder({ maxChunkBytes })
  for (const frame of frames.slice(0, k)) await decoder.decodeChunk(frame)
  try {
    return await decoder.decodeChunk(bad)
  } catch (err) {
    return err
  }
}

function expectTypedFrameError(outcome: unknown): void {
  const typed =
    isDwcpError(outcome, 'DWCP_ERR_FRAME_CORRUPT') || isDwcpError(outcome, 'DWCP_ERR_FRAME_TOO_LARGE')
  expect(typed, `expected a typed frame error, got ${String(outcome)}`).toBe(true)
}

/** A frame header with the dedup-ref algorithm, so the fuzzer reaches the reference checks. */
const plausibleRef = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 120 }))
  .map(([level, baselineLength, rest]) => {
    const head = [
      FRAME_MAGIC >> 8,
      FRAME_MAGIC & 0xff,
      FRAME_VERSION,
      FRAME_ALGORITHMS['dedup-ref'],
      level,
      0,
    ]
    return new Uint8Array([...head, baselineLength, ...rest])
  })

describe('dedupDecoder under fuzzing', () => {
  it('gives a typed frame error for arbitrary bytes and plausible references', async () => {
    const { frames } = await sampleStream()
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), plausibleRef),
        fc.nat({ max: frames.length }),
        async (bytes, k) => {
          expectTypedFrameError(await decodeAfterPrefix(frames, k, bytes))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('detects every truncation and every single-bit flip of literal and reference frames', async () => {
    const { frames } = await sampleStream()
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.boolean(), async (frameSeed, cutSeed, truncate) => {
        const k = frameSeed % frames.length
        const frame = frames[k]!
        let bad: Uint8Array
        if (truncate) {
          bad = frame.subarray(0, cutSeed % frame.length)
        } else {
          const bit = cutSeed % (frame.length * 8)
          bad = frame.slice()
          bad[bit >> 3]! ^= 1 << (bit & 7)
        }
        expectTypedFrameError(await decodeAfterPrefix(frames, k, bad))
      }),
      { numRuns: 400 },
    )
  })

  it('rejects a reference to a hash it does not hold, or to a held chunk of another size', async () => {
    const { frames, chunks } = await sampleStream()
    const unknown = encodeDedupRef(strongHash(seededBytes(99, 1000)), 1000)
    const unknownError = await decodeAfterPrefix(frames, frames.length, unknown)
    expectTypedFrameError(unknownError)
    expect((unknownError as Error).message).toMatch(/unknown chunk/)
    const wrongSize = encodeDedupRef(strongHash(chunks[0]!), chunks[0]!.length + 1)
    expect(((await decodeAfterPrefix(frames, 1, wrongSize)) as Error).message).toMatch(/held chunk has/)
  })

  it('rejects a reference whose payload is not 32 bytes, or that carries a level or a baseline', async () => {
    const { frames, chunks } = await sampleStream()
    const hash = strongHash(chunks[0]!)
    const ref = (fields: { payload: Uint8Array; level?: number; baselineId?: string }) =>
      encodeFrame({ algorithm: 'dedup-ref', originalBytes: chunks[0]!.length, ...fields })
    const cases = [
      ref({ payload: hash.subarray(0, 31) }),
      ref({ payload: new Uint8Array([...hash, 0]) }),
      ref({ payload: new Uint8Array(0) }),
      ref({ payload: hash, level: 1 }),
      ref({ payload: hash, baselineId: 'page-7' }),
      encodeFrame({ algorithm: 'dedup-ref', originalBytes: 0, payload: hash }),
    ]
    expect(await decodeAfterPrefix(frames, 1, ref({ payload: hash }))).toEqual(chunks[0])
    for (const bad of cases) {
      const outcome = await decodeAfterPrefix(frames, 1, bad)
      expect(isDwcpError(outcome, 'DWCP_ERR_FRAME_CORRUPT'), String(outcome)).toBe(true)
    }
  })

  it('refuses to build a reference from a hash that is not 32 bytes or to an empty chunk', () => {
    for (const build of [
      () => encodeDedupRef(new Uint8Array(31), 10),
      () => encodeDedupRef(new Uint8Array(32), 0),
    ]) {
      let caught: unknown
      try {
        build()
      } catch (err) {
        caught = err
      }
      expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })

  it('rejects frames of other algorithms and empty literals', async () => {
    const others = [
      encodeFrame({ algorithm: 'zero', originalBytes: 10, payload: new Uint8Array(0) }),
      encodeFrame({ algorithm: 'none', originalBytes: 0, payload: new Uint8Array(0) }),
      encodeFrame({ algorithm: 'none', originalBytes: 5, payload: new Uint8Array(4) }),
    ]
    for (const frame of others) {
      const outcome = await decodeAfterPrefix([], 0, frame)
      expect(isDwcpError(outcome, 'DWCP_ERR_FRAME_CORRUPT'), String(outcome)).toBe(true)
    }
  })

  it('refuses frames announcing more than maxChunkBytes before allocating for them', async () => {
    const before = process.memoryUsage().arrayBuffers
    for (const algorithm of ['none', 'dedup-ref'] as const) {
      const frame = encodeFrame({ algorithm, originalBytes: 0, payload: new Uint8Array(32) })
      new DataView(frame.buffer).setUint32(7, 0xffff_ffff)
      const outcome = await decodeAfterPrefix([], 0, frame)
      expect(isDwcpError(outcome, 'DWCP_ERR_FRAME_TOO_LARGE'), String(outcome)).toBe(true)
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024)
  })

  it('stays failed after a bad frame, even for frames that would decode', async () => {
    const { frames } = await sampleStream()
    const decoder = dedupDecoder({ maxChunkBytes })
    const bad = frames[0]!.slice()
    bad[bad.length - 1]! ^= 1
    expectTypedFrameError(await decoder.decodeChunk(bad).catch((err: unknown) => err))
    const later = await decoder.decodeChunk(frames[0]!).catch((err: unknown) => err)
    expect(isDwcpError(later, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    expect((later as Error).message).toMatch(/earlier frame failed/)
  })
})
