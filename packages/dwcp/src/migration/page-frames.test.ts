import { randomBytes } from 'node:crypto'
import { type Codec, isDwcpError, silentLogger } from '@dwcp/core'
import { chunkDecoder, zeroChunks, zstdCodec } from '@dwcp/hde'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PAGE_BYTES } from './file-workload.js'
import { applyRecords, type RecordTarget, RecordWriter } from './page-frames.js'

/** An in-memory image as the receiver of records. */
function memoryImage(pageCount: number, content?: Uint8Array): RecordTarget & { bytes: Uint8Array } {
  const bytes = content ? content.slice() : new Uint8Array(pageCount * PAGE_BYTES)
  return {
    bytes,
    pageCount,
    read: (offset, length) => bytes.slice(offset, offset + length),
    write: (offset, data) => bytes.set(data, offset),
    plainCodec: plainRunCodec(),
    mode: 'internet',
  }
}

/** The codec of plain runs as an internet node has it: zero runs as headers, zstd 3, any chunk frame decoded. */
function plainRunCodec(): Codec {
  const components = { logger: silentLogger() }
  const encoder = zeroChunks(zstdCodec({ level: 3 })(components), { maxChunkBytes: 1 << 20 })
  const decoder = chunkDecoder({ maxChunkBytes: 16 << 20 })(components)
  return { name: 'plain-runs', encode: encoder.encode, decode: decoder.decode }
}

const pageOf = (image: Uint8Array, page: number) => image.subarray(page * PAGE_BYTES, (page + 1) * PAGE_BYTES)

describe('migration records', () => {
  it('carry a plain run and pages (deltas against the receiver’s version, or whole) to an equal image', async () => {
    const pageCount = 8
    const source = new Uint8Array(pageCount * PAGE_BYTES)
    source.set(new TextEncoder().encode('a text page '.repeat(700)).subarray(0, 2 * PAGE_BYTES), 0)
    source.set(randomBytes(PAGE_BYTES), 3 * PAGE_BYTES)
    const round1 = new RecordWriter(plainRunCodec(), 3, 'internet')
    await round1.addPlain(0, source.slice())
    const target = memoryImage(pageCount)
    expect(await applyRecords(round1.take(), target)).toBe(pageCount)
    expect(target.bytes).toEqual(source)

    // Round 2: page 0 changed by a small write (its old version known), page 3 rewritten (unknown).
    const old0 = source.slice(0, PAGE_BYTES)
    source.set([9, 9, 9, 9], 100)
    source.set(randomBytes(PAGE_BYTES), 3 * PAGE_BYTES)
    const round2 = new RecordWriter(plainRunCodec(), 3, 'internet')
    round2.addPage(0, pageOf(source, 0).slice(), old0)
    round2.addPage(3, pageOf(source, 3).slice(), undefined)
    const records = round2.take()
    expect(records.byteLength).toBeLessThan(PAGE_BYTES + 200)
    expect(await applyRecords(records, target)).toBe(2)
    expect(target.bytes).toEqual(source)
  })

  it('patch the ranges a writer changed into the receiver’s page, and refuse a patch of another version', async () => {
    const held = new Uint8Array(2 * PAGE_BYTES).fill(5)
    const target = memoryImage(2, held)
    const page = held.slice(PAGE_BYTES)
    page.set([1, 2, 3], 10)
    page.set([9], 4000)
    const writer = new RecordWriter(plainRunCodec(), 3, 'internet')
    writer.addPatch(1, page, [10, 13, 4000, 4001])
    const records = writer.take()
    expect(records.byteLength).toBe(9 + 5 + 4 + 3 + 4 + 1)
    expect(await applyRecords(records, target)).toBe(1)
    expect(pageOf(target.bytes, 1)).toEqual(page)
    // The same patch on a receiver holding another version: refused, its page untouched.
    const other = memoryImage(2, new Uint8Array(2 * PAGE_BYTES).fill(6))
    const error = await applyRecords(records, other).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/does not match after patching/)
    expect(other.bytes.every((b) => b === 6)).toBe(true)
  })

  it('refuses a delta against a version the receiver does not hold, leaving that page alone', async () => {
    const target = memoryImage(2)
    const believed = new Uint8Array(PAGE_BYTES).fill(7)
    const page = believed.slice()
    page[0] = 1
    const writer = new RecordWriter(plainRunCodec(), 3, 'internet')
    writer.addPage(1, page, believed)
    const error = await applyRecords(writer.take(), target).catch((e: unknown) => e)
    expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    expect(target.bytes.every((b) => b === 0)).toBe(true)
  })

  it('refuses records for pages outside the image and unknown flags', async () => {
    const writer = new RecordWriter(plainRunCodec(), 3, 'internet')
    writer.addPage(5, new Uint8Array(PAGE_BYTES), undefined)
    const records = writer.take()
    const outside = await applyRecords(records, memoryImage(2)).catch((e: unknown) => e)
    expect(isDwcpError(outside, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    const flagged = records.slice()
    flagged[4] = 1
    const unknown = await applyRecords(flagged, memoryImage(8)).catch((e: unknown) => e)
    expect((unknown as Error).message).toMatch(/unknown flags/)
  })

  it('gives pages or a typed error for arbitrary and corrupted records (fuzzed)', async () => {
    const writer = new RecordWriter(plainRunCodec(), 3, 'internet')
    const base = new Uint8Array(PAGE_BYTES).fill(3)
    const changed = base.slice()
    changed[77] = 5
    writer.addPage(1, changed, base)
    await writer.addPlain(2, new Uint8Array(2 * PAGE_BYTES).fill(4))
    const patched = new Uint8Array(PAGE_BYTES)
    patched.set([8, 8], 30)
    writer.addPatch(0, patched, [30, 32])
    const valid = writer.take()
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc
            .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }))
            .map(([at, x]) => valid.map((b, i) => (i === at ? b ^ x : b))),
          fc.nat({ max: valid.length - 1 }).map((end) => valid.subarray(0, end)),
        ),
        async (records) => {
          const image = new Uint8Array(4 * PAGE_BYTES)
          image.fill(3, PAGE_BYTES, 2 * PAGE_BYTES)
          try {
            await applyRecords(records, memoryImage(4, image))
          } catch (error) {
            if (!isDwcpError(error)) throw error
            expect(['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE']).toContain(error.code)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
