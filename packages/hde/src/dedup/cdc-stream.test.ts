import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CdcOptions } from './cdc-options.js'
import { cdcStream } from './cdc-stream.js'
import { cdcChunks } from './fastcdc.js'
import { seededBytes } from './seeded-bytes.js'

const KiB = 1024
const small: CdcOptions = { minSizeBytes: 256, averageSizeBytes: 1024, maxSizeBytes: 4096 }

/** Splits `bytes` at the given offsets (taken modulo its length, sorted), including empty pieces. */
function split(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = offsets.map((offset) => offset % (bytes.length + 1)).sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let start = 0
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point))
    start = point
  }
  return pieces
}

async function* asAsync(pieces: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield piece
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const chunk of chunks) out.push(chunk)
  return out
}

/** Asserts two chunk lists are equal, byte for byte (cheaper than a deep equality on typed arrays). */
function expectSameChunks(actual: Uint8Array[], expected: Uint8Array[]): void {
  expect(actual.map((chunk) => chunk.length)).toEqual(expected.map((chunk) => chunk.length))
  const differing = actual.findIndex((chunk, k) => !Buffer.from(chunk).equals(expected[k]!))
  expect(differing, 'index of the first differing chunk').toBe(-1)
}

/** The chunks the one-shot chunker finds, as copies. */
function oneShot(bytes: Uint8Array, options?: CdcOptions): Uint8Array[] {
  const cuts = cdcChunks(bytes, options)
  return cuts.map((cut, k) => bytes.slice(cuts[k - 1] ?? 0, cut))
}

describe('cdcStream', () => {
  it('yields the one-shot chunks however the input is split (small chunk sizes)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.nat({ max: 30_000 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (seed, length, offsets) => {
          const bytes = seededBytes(seed, length)
          const streamed = await collect(cdcStream(asAsync(split(bytes, offsets)), small))
          expectSameChunks(streamed, oneShot(bytes, small))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('yields the one-shot chunks however the input is split (default chunk sizes)', async () => {
    const bytes = seededBytes(42, 1024 * KiB)
    const expected = oneShot(bytes)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (offsets) => {
        expectSameChunks(await collect(cdcStream(split(bytes, offsets))), expected)
      }),
      { numRuns: 15 },
    )
  })

  it('yields copies the consumer may keep while the source reuses its buffer', async () => {
    const bytes = seededBytes(8, 20 * KiB)
    const reused = new Uint8Array(1000)
    async function* reusing(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < bytes.length; offset += reused.length) {
        const piece = bytes.subarray(offset, offset + reused.length)
        reused.set(piece)
        yield reused.subarray(0, piece.length)
      }
    }
    expectSameChunks(await collect(cdcStream(reusing(), small)), oneShot(bytes, small))
  })

  it('yields copies, not views, of Node.js Buffer sources', async () => {
    const source = Buffer.from(seededBytes(10, 20 * KiB))
    const chunks = await collect(cdcStream([source], small))
    const expected = oneShot(new Uint8Array(source), small)
    source.fill(0)
    expectSameChunks(chunks, expected)
    expect(chunks.every((chunk) => chunk.buffer !== source.buffer)).toBe(true)
  })

  it('buffers at most one window: the first chunk comes out after max size plus one source buffer', async () => {
    const pieceBytes = 1000
    let pulledBytes = 0
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100_000; i++) {
        pulledBytes += pieceBytes
        yield seededBytes(i, pieceBytes)
      }
    }
    const chunks = cdcStream(endless(), small)
    for (let k = 0; k < 20; k++) {
      const pulledBefore = pulledBytes
      const { value } = await chunks.next()
      expect(value!.length).toBeLessThanOrEqual(4096)
      expect(pulledBytes - pulledBefore).toBeLessThanOrEqual(4096 + pieceBytes)
    }
    await chunks.return(undefined)
    expect(pulledBytes).toBeLessThan(20 * (4096 + pieceBytes))
  })

  it('stops with DWCP_ERR_ABORTED when the signal fires', async () => {
    const controller = new AbortController()
    const chunks = cdcStream([seededBytes(1, 64 * KiB)], { ...small, signal: controller.signal })
    await chunks.next()
    controller.abort()
    let caught: unknown
    try {
      await chunks.next()
    } catch (err) {
      caught = err
    }
    expect(isDwcpError(caught, 'DWCP_ERR_ABORTED')).toBe(true)
  })

  it('rejects options outside their domain with DWCP_ERR_INVALID_ARGUMENT', async () => {
    let caught: unknown
    try {
      await cdcStream([new Uint8Array(10)], { averageSizeBytes: 3000 }).next()
    } catch (err) {
      caught = err
    }
    expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
