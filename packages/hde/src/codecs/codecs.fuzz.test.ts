/**
 * Fuzzing the compression codecs' decoders (DESIGN.md §9): damaged frames (bit flips, truncation, extension,
 * random corruption) and frames with a valid checksum around a payload that is not what it claims (random
 * bytes, a damaged payload, a size other than the announced one, a bomb) give a typed error and never wrong
 * output or an output larger than announced.
 */
import { type DwcpErrorCode, isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../frame.js'
import { lz4CompressPayload } from './lz4-payload.js'
import { CODEC_TEST_SEED, seededBytes } from './test-fixtures/test-chunks.js'
import { CODEC_CASES, quietComponents } from './test-fixtures/test-codec-cases.js'
import { assertTyped } from './test-fixtures/test-errors.js'
import { zstdCompressPayload } from './zstd-payload.js'

const context = { mode: 'internet' } as const
const MAX_CHUNK_BYTES = 64 * 1024
const frameErrors: DwcpErrorCode[] = ['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE']
const fuzzRuns = { seed: CODEC_TEST_SEED, numRuns: 300 }

/** Chunks the fuzzed frames are made from: text, zeros, structured words and noise, odd sizes among them. */
const SAMPLE_CHUNKS = [
  new TextEncoder().encode('migrate the dirty pages of vm 7 '.repeat(40)),
  new Uint8Array(4096),
  seededBytes(3001, 1).map((byte, i) => (i % 8 < 4 ? byte & 0x07 : 0)),
  seededBytes(257, 2),
  new Uint8Array(0),
]

/** What the decoder does with `frame`: the bytes it returns, or the typed error it throws (anything else fails). */
async function outcome(decode: (frame: Uint8Array) => Promise<Uint8Array>, frame: Uint8Array) {
  try {
    return { bytes: await decode(frame) }
  } catch (err) {
    assertTyped(err, frameErrors)
    return { error: err }
  }
}

describe.each(CODEC_CASES)('$label decoder under fuzzing', ({ algorithm, level, factory }) => {
  const codec = factory(MAX_CHUNK_BYTES)(quietComponents)
  const decode = (frame: Uint8Array) => codec.decode(frame, context)
  const samples = Promise.all(
    SAMPLE_CHUNKS.map(async (chunk) => ({ chunk, ...(await codec.encode(chunk, context)) })),
  )
  const sample = fc.nat(SAMPLE_CHUNKS.length - 1)
  const rewrap = (payload: Uint8Array, originalBytes: number) =>
    encodeFrame({ algorithm, level, originalBytes, payload })
  const payloadOf = (frame: Uint8Array) =>
    decodeFrame(frame, { maxOriginalBytes: MAX_CHUNK_BYTES, maxPayloadBytes: 1 << 20 }).payload

  it('rejects every bit flip anywhere in a frame', async () => {
    const all = await samples
    await fc.assert(
      fc.asyncProperty(sample, fc.nat(), async (index, bitSeed) => {
        const frame = all[index]!.frame.slice()
        const bit = bitSeed % (frame.length * 8)
        frame[bit >> 3]! ^= 1 << (bit & 7)
        expect((await outcome(decode, frame)).error).toBeDefined()
      }),
      fuzzRuns,
    )
  })

  it('rejects every truncation and every extension of a frame', async () => {
    for (const { frame } of await samples) {
      for (let length = 0; length < frame.length; length += 1) {
        expect((await outcome(decode, frame.subarray(0, length))).error).toBeDefined()
      }
      for (const extra of [[0], [0, 0, 0, 0], [...frame.subarray(0, 8)]]) {
        expect((await outcome(decode, Uint8Array.from([...frame, ...extra]))).error).toBeDefined()
      }
    }
  })

  it('rejects random corruption of several bytes', async () => {
    const all = await samples
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
      minLength: 2,
      maxLength: 8,
    })
    await fc.assert(
      fc.asyncProperty(sample, edits, async (index, changes) => {
        const frame = all[index]!.frame.slice()
        for (const [at, xor] of changes) frame[at % frame.length]! ^= xor
        const result = await outcome(decode, frame)
        // Edits may cancel out; only a frame that still equals the original may decode.
        if (result.bytes !== undefined) expect(Buffer.from(frame).equals(all[index]!.frame)).toBe(true)
      }),
      fuzzRuns,
    )
  })

  it('rejects a checksummed frame whose payload is not a compressed frame at all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(MAX_CHUNK_BYTES),
        async (payload, originalBytes) => {
          const result = await outcome(decode, rewrap(payload, originalBytes))
          expect(isDwcpError(result.error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
        },
      ),
      fuzzRuns,
    )
  })

  it('never returns other than the announced size for a checksummed frame around a damaged payload', async () => {
    const all = await samples
    await fc.assert(
      fc.asyncProperty(sample, fc.nat(), fc.integer({ min: 1, max: 255 }), async (index, at, xor) => {
        const { chunk, frame } = all[index]!
        const payload = payloadOf(frame).slice()
        if (payload.length === 0) return
        payload[at % payload.length]! ^= xor
        const result = await outcome(decode, rewrap(payload, chunk.length))
        if (result.bytes !== undefined) expect(result.bytes.length).toBe(chunk.length)
      }),
      fuzzRuns,
    )
  })

  it('rejects a valid payload announced with any other size', async () => {
    const all = await samples
    await fc.assert(
      fc.asyncProperty(
        sample,
        fc.integer({ min: -5000, max: 5000 }).filter((delta) => delta !== 0),
        async (index, delta) => {
          const { chunk, frame } = all[index]!
          const originalBytes = Math.max(0, chunk.length + delta)
          if (originalBytes === chunk.length) return
          const result = await outcome(decode, rewrap(payloadOf(frame), originalBytes))
          expect(isDwcpError(result.error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
        },
      ),
      fuzzRuns,
    )
  })

  it('rejects a bomb: a small payload that expands far past the announced size', async () => {
    // 4 MiB of zeros: lz4 shrinks it about 250-fold, to a payload within the frame's payload bound.
    const zeros = new Uint8Array(4 * 1024 * 1024)
    const payload = algorithm === 'lz4' ? lz4CompressPayload(zeros) : zstdCompressPayload(zeros, { level: 1 })
    const result = await outcome(decode, rewrap(payload, 4096))
    expect(isDwcpError(result.error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
  })
})
