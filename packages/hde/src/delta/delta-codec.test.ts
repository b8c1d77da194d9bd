import { METRIC_NAMES, type MetricName, seededRandom, silentLogger } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame } from '../frame.js'
import { boundedBaselineStore } from './baseline-store.js'
import { deltaCodec } from './delta-codec.js'
import { END_FRAME, splitFrames } from './page-frames.js'
import { concatPages, migration, pageAlgorithms, pageFrames } from './test-fixtures/migration.js'
import { basePage, mutatedPage, structured } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'
import { rejectedDwcpError, thrownDwcpError } from './test-fixtures/typed-errors.js'

/** Chunks of whole pages plus an optional shorter tail, each with a new version, for a given page size. */
const chunkVersions = fc.constantFrom(64, 512, 4096).chain((pageBytes) => {
  const pair = (length: number) =>
    basePage(length).chain((baseline) => mutatedPage(baseline).map((page) => ({ baseline, page })))
  const tail = fc.option(fc.integer({ min: 1, max: pageBytes - 1 }).chain(pair), { nil: undefined })
  return fc.tuple(fc.array(pair(pageBytes), { maxLength: 4 }), tail).map(([pairs, last]) => {
    const all = last === undefined ? pairs : [...pairs, last]
    return {
      pageBytes,
      before: concatPages(all.map((p) => p.baseline)),
      after: concatPages(all.map((p) => p.page)),
    }
  })
})

function randomPage(seed: number, length = 4096): Uint8Array {
  const random = seededRandom(seed)
  return new Uint8Array(length).map(() => Math.floor(random.next() * 256))
}

describe('deltaCodec', () => {
  it('is named delta and refuses options outside their domain', () => {
    expect(deltaCodec()({ logger: silentLogger() }).name).toBe('delta')
    for (const init of [
      { pageBytes: 0 },
      { pageBytes: 1.5 },
      { level: 23 },
      { level: -129 },
      { maxChunkBytes: -1 },
    ]) {
      thrownDwcpError(() => deltaCodec(init), 'DWCP_ERR_INVALID_ARGUMENT')
    }
  })

  it('round-trips every round of a migration, and both stores end up equal', async () => {
    await fc.assert(
      fc.asyncProperty(chunkVersions, async ({ pageBytes, before, after }) => {
        const m = migration({ pageBytes })
        expectSameBytes(await m.receive((await m.send(before, 'vm/c')).frame, 'vm/c'), before)
        const second = await m.send(after, 'vm/c')
        expectSameBytes(await m.receive(second.frame, 'vm/c'), after)
        const third = await m.send(after, 'vm/c')
        expectSameBytes(await m.receive(third.frame, 'vm/c'), after)
        // Unchanged pages of a later round are all `same` (or `zero`), whatever they hold.
        for (const algorithm of pageAlgorithms(third.frame, pageBytes))
          expect(['same', 'zero']).toContain(algorithm)
        expect(m.senderStore.ids()).toEqual(m.receiverStore.ids())
        for (const id of m.senderStore.ids())
          expectSameBytes(m.receiverStore.get(id), m.senderStore.get(id)!, id)
      }),
      { seed: 0xde17a, numRuns: 200 },
    )
  })

  it('round-trips without a baseline id or store: no delta, nothing kept', async () => {
    const codec = deltaCodec()({ logger: silentLogger() })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 100, 4096, 9000).chain(basePage), async (chunk) => {
        const encoded = await codec.encode(chunk, { mode: 'datacenter' })
        expect(encoded.baselineId).toBeUndefined()
        for (const algorithm of pageAlgorithms(encoded.frame))
          expect(['zero', 'zstd', 'none']).toContain(algorithm)
        expectSameBytes(await codec.decode(encoded.frame, { mode: 'datacenter' }), chunk)
      }),
      { seed: 0xde17b, numRuns: 100 },
    )
  })

  it('sends zero pages as zero, unchanged pages as same, changed pages as a delta naming the baseline', async () => {
    const m = migration()
    const text = structured([1, 2, 3, 4], 4096)
    const noise = randomPage(1)
    const round1 = await m.send(concatPages([new Uint8Array(4096), text, noise]), 'vm/0')
    expect(pageAlgorithms(round1.frame)).toEqual(['zero', 'zstd', 'none'])
    expect(round1).toMatchObject({ algorithm: 'delta', originalBytes: 3 * 4096 })
    expect(round1.baselineId).toBeUndefined()
    await m.receive(round1.frame, 'vm/0')

    const changed = text.slice()
    changed.fill(0xee, 100, 108)
    const round2 = await m.send(concatPages([new Uint8Array(4096), changed, noise]), 'vm/0')
    expect(pageAlgorithms(round2.frame)).toEqual(['zero', 'xbzrle', 'same'])
    expect(round2.baselineId).toBe('vm/0')
    const [, delta, same] = pageFrames(round2.frame)
    expect(delta!.baselineId).toMatch(/^vm\/0\/1@[0-9a-f]{8}$/)
    expect(same!.baselineId).toMatch(/^vm\/0\/2@[0-9a-f]{8}$/)
    expect(same!.payload).toHaveLength(0)
    // zero page, a delta and a same frame (each naming `vm/0/i@crc`), and the end frame.
    expect(round2.frame.length).toBeLessThan(19 + 2 * (19 + 16) + 20 + 19)
    expectSameBytes(
      await m.receive(round2.frame, 'vm/0'),
      concatPages([new Uint8Array(4096), changed, noise]),
    )
  })

  it('encodes chunks that are unaligned views into larger buffers', async () => {
    const m = migration({ pageBytes: 64 })
    const backing = new Uint8Array(1 + 3 * 64 + 5)
    backing.set(structured([3, 4], 64), 1 + 64)
    const chunk = backing.subarray(1, 1 + 3 * 64)
    const encoded = await m.send(chunk, 'vm/u')
    expect(pageAlgorithms(encoded.frame, 64)).toEqual(['zero', 'zstd', 'zero'])
    expectSameBytes(await m.receive(encoded.frame, 'vm/u'), chunk)
    backing[1 + 130] = 5
    const second = await m.send(chunk, 'vm/u')
    expect(pageAlgorithms(second.frame, 64)).toEqual(['zero', 'same', 'xbzrle'])
    expectSameBytes(await m.receive(second.frame, 'vm/u'), chunk)
  })

  it('picks zstd-delta when it beats xbzrle (content moved within the page)', async () => {
    const m = migration()
    const before = structured([9, 8, 7, 6, 5], 4096).map((byte, i) => byte ^ (i % 251))
    await m.receive((await m.send(before, 'vm/1')).frame, 'vm/1')
    const after = new Uint8Array(4096)
    after.set(before.subarray(0, 4096 - 24), 24)
    const encoded = await m.send(after, 'vm/1')
    expect(encoded.algorithm).toBe('zstd-delta')
    expect(pageFrames(encoded.frame)[0]!.level).toBe(3)
    expectSameBytes(await m.receive(encoded.frame, 'vm/1'), after)
  })

  it('falls back to zstd or none when no delta is smaller than the page', async () => {
    const m = migration()
    await m.receive((await m.send(randomPage(2), 'vm/2')).frame, 'vm/2')
    const rewritten = randomPage(3)
    const encoded = await m.send(rewritten, 'vm/2')
    expect(encoded.algorithm).toBe('none')
    expectSameBytes(await m.receive(encoded.frame, 'vm/2'), rewritten)
  })

  it('fails with "baseline X is not held" when the receiver evicted what the sender still holds', async () => {
    const m = migration({ senderMaxBytes: 4 * 4096, receiverMaxBytes: 4096 })
    for (const id of ['vm/a', 'vm/b']) await m.receive((await m.send(structured([1], 4096), id)).frame, id)
    const changed = structured([1], 4096)
    changed[7] = 99
    const err = await rejectedDwcpError(m.receive((await m.send(changed, 'vm/a')).frame, 'vm/a'))
    expect(err.message).toMatch(/baseline vm\/a\/0 is not held/)
  })

  it('never names an evicted baseline when both stores have the same bound', async () => {
    const m = migration({ senderMaxBytes: 3 * 4096 })
    const ids = ['vm/a', 'vm/b', 'vm/c', 'vm/d', 'vm/e']
    const page = (id: string, version: number) => structured([id.charCodeAt(3), version], 4096)
    for (const id of ids) await m.receive((await m.send(page(id, 0), id)).frame, id)
    for (const id of [...ids].reverse()) {
      const encoded = await m.send(page(id, 1), id)
      expectSameBytes(await m.receive(encoded.frame, id), page(id, 1))
    }
    expect(m.senderStore.ids()).toEqual(m.receiverStore.ids())
    expect(m.senderStore.stats().evictions).toBeGreaterThan(0)
  })

  it('refuses a delta against another version of the page (a frame decoded twice)', async () => {
    const m = migration()
    await m.receive((await m.send(structured([4], 4096), 'vm/x')).frame, 'vm/x')
    const changed = structured([4], 4096)
    changed[10] = 1
    const { frame } = await m.send(changed, 'vm/x')
    await m.receive(frame, 'vm/x')
    const err = await rejectedDwcpError(m.receive(frame, 'vm/x'))
    expect(err.message).toMatch(
      /baseline vm\/x\/0 is held as version [0-9a-f]{8}, the frame was encoded against/,
    )
  })

  it('refuses a delta decoded under another chunk id, without one, or without a store', async () => {
    const m = migration()
    await m.receive((await m.send(structured([5], 4096), 'vm/y')).frame, 'vm/y')
    const changed = structured([5], 4096)
    changed[0] = 42
    const { frame } = await m.send(changed, 'vm/y')
    expect((await rejectedDwcpError(m.receive(frame, 'vm/z'))).message).toMatch(
      /names baseline vm\/y\/0, the page at its position is vm\/z\/0/,
    )
    expect((await rejectedDwcpError(m.receive(frame))).message).toMatch(/decode context gives no baselineId/)
    const bare = m.codec.decode(frame, { mode: 'internet', baselineId: 'vm/y' })
    expect((await rejectedDwcpError(bare)).message).toMatch(
      /baseline vm\/y\/0 is not held \(no baseline store/,
    )
    expectSameBytes(await m.receive(frame, 'vm/y'), changed)
  })

  it('keeps no page of a chunk that failed to decode', async () => {
    const m = migration()
    const pages = [structured([1], 4096), structured([2], 4096)]
    await m.receive((await m.send(concatPages(pages), 'vm/p')).frame, 'vm/p')
    const before = m.receiverStore.get('vm/p/0')!.slice()
    pages[0]![5] = 77
    const { frame } = await m.send(concatPages(pages), 'vm/p')
    frame[frame.length - 1]! ^= 1 // breaks the second page's CRC
    await rejectedDwcpError(m.receive(frame, 'vm/p'))
    expect(m.receiverStore.get('vm/p/0')).toEqual(before)
  })

  it('checks that the frames tile the chunk and end with the end frame', async () => {
    const codec = deltaCodec({ pageBytes: 64 })({ logger: silentLogger() })
    const page = (length: number) =>
      encodeFrame({ algorithm: 'zero', originalBytes: length, payload: new Uint8Array(0) })
    const decode = (frames: Uint8Array[]) => codec.decode(concatPages(frames), { mode: 'internet' })
    expect(await decode([page(64), page(10), END_FRAME])).toEqual(new Uint8Array(74))
    expect(await decode([END_FRAME])).toEqual(new Uint8Array(0))
    const reason = async (frames: Uint8Array[]) => (await rejectedDwcpError(decode(frames))).message
    expect(await reason([page(10), page(64), END_FRAME])).toMatch(/page 0 of 2 announces 10 bytes/)
    expect(await reason([page(64), page(0), END_FRAME])).toMatch(/page 1 of 2 announces 0 bytes/)
    expect(await reason([page(64), page(64)])).toMatch(/does not end with its end frame/)
    expect(await reason([page(64), END_FRAME, page(64), END_FRAME])).toMatch(/frames follow the end frame/)
    expect(await reason([])).toMatch(/empty input/)
    await rejectedDwcpError(decode([page(65), END_FRAME]), 'DWCP_ERR_FRAME_TOO_LARGE')
  })

  it('encodes an empty chunk as the end frame alone', async () => {
    const m = migration()
    const encoded = await m.send(new Uint8Array(0), 'vm/empty')
    expect(encoded).toMatchObject({ frame: END_FRAME, algorithm: 'none', originalBytes: 0 })
    expect(await m.receive(encoded.frame, 'vm/empty')).toEqual(new Uint8Array(0))
    expect(m.senderStore.ids()).toEqual([])
  })

  it('refuses frames of algorithms it does not write, and baselines where none belongs', async () => {
    const codec = deltaCodec()({ logger: silentLogger() })
    const decode = (frame: Uint8Array) =>
      codec.decode(concatPages([frame, END_FRAME]), { mode: 'internet', baselineId: 'vm' })
    const lz4 = encodeFrame({ algorithm: 'lz4', originalBytes: 4, payload: new Uint8Array(4) })
    expect((await rejectedDwcpError(decode(lz4))).message).toMatch(/cannot decode algorithm lz4/)
    const named = encodeFrame({
      algorithm: 'zero',
      baselineId: 'vm/0@00000000',
      originalBytes: 4,
      payload: new Uint8Array(0),
    })
    expect((await rejectedDwcpError(decode(named))).message).toMatch(/zero frame names a baseline/)
    const unnamed = encodeFrame({ algorithm: 'same', originalBytes: 4, payload: new Uint8Array(0) })
    expect((await rejectedDwcpError(decode(unnamed))).message).toMatch(/same frame names no baseline/)
    const badName = encodeFrame({
      algorithm: 'xbzrle',
      baselineId: 'vm/0',
      originalBytes: 4,
      payload: new Uint8Array(0),
    })
    expect((await rejectedDwcpError(decode(badName))).message).toMatch(/is not <page id>@<crc32c>/)
    const zeroWithPayload = encodeFrame({ algorithm: 'zero', originalBytes: 4, payload: new Uint8Array(1) })
    expect((await rejectedDwcpError(decode(zeroWithPayload))).message).toMatch(/carries a payload of 1 bytes/)
  })

  it('bounds chunks on both sides', async () => {
    const small = deltaCodec({ pageBytes: 64, maxChunkBytes: 128 })({ logger: silentLogger() })
    await rejectedDwcpError(
      small.encode(new Uint8Array(129), { mode: 'internet' }),
      'DWCP_ERR_FRAME_TOO_LARGE',
    )
    const large = deltaCodec({ pageBytes: 64 })({ logger: silentLogger() })
    const { frame } = await large.encode(new Uint8Array(129), { mode: 'internet' })
    const err = await rejectedDwcpError(small.decode(frame, { mode: 'internet' }), 'DWCP_ERR_FRAME_TOO_LARGE')
    expect(err.data).toEqual({ lengthBytes: 129, maxBytes: 128 })
  })

  it('refuses a chunk id whose page names do not fit a frame header', async () => {
    const codec = deltaCodec()({ logger: silentLogger() })
    const baselines = boundedBaselineStore({ maxBytes: 1 << 20 })
    const encode = (baselineId: string) =>
      codec.encode(new Uint8Array(4096), { mode: 'internet', baselineId, baselines })
    await encode('x'.repeat(255 - 9 - 2))
    await rejectedDwcpError(encode('x'.repeat(255 - 9 - 1)), 'DWCP_ERR_INVALID_ARGUMENT')
    await rejectedDwcpError(encode(''), 'DWCP_ERR_INVALID_ARGUMENT')
  })

  it('records bytes per algorithm and the delta hit rate', async () => {
    const m = migration()
    const pages = [structured([1], 4096), structured([2], 4096), randomPage(4)]
    await m.send(concatPages(pages), 'vm/m')
    expect(m.metrics.gaugeValue(METRIC_NAMES.hdeDeltaHitRate)).toBeUndefined() // no page had a baseline yet
    pages[0]![3] = 9
    pages[2] = randomPage(5)
    const second = await m.send(concatPages(pages), 'vm/m')
    const frames = splitFrames(second.frame, 4096)
    const bytes = (name: MetricName, algorithm: string) => m.metrics.counterValue(name, { algorithm })
    expect(m.metrics.gaugeValue(METRIC_NAMES.hdeDeltaHitRate)).toBeCloseTo(2 / 3)
    expect(bytes(METRIC_NAMES.hdeBytesOriginal, 'xbzrle')).toBe(4096)
    expect(bytes(METRIC_NAMES.hdeBytesCompressed, 'same')).toBe(frames[1]!.length)
    expect(bytes(METRIC_NAMES.hdeBytesOriginal, 'none')).toBe(2 * 4096)
    expect(bytes(METRIC_NAMES.hdeBytesOriginal, 'zstd')).toBe(2 * 4096)
    // The ratio of each algorithm is its two counters' ratio, the end frames included in `none`'s.
    for (const algorithm of ['xbzrle', 'same', 'none', 'zstd']) {
      expect(m.metrics.gaugeValue(METRIC_NAMES.hdeCompressionRatio, { algorithm })).toBeCloseTo(
        bytes(METRIC_NAMES.hdeBytesOriginal, algorithm) / bytes(METRIC_NAMES.hdeBytesCompressed, algorithm),
        12,
      )
    }
    await m.send(concatPages(pages), 'vm/m') // all same: 5 hits of 6 pages that had a baseline
    expect(m.metrics.gaugeValue(METRIC_NAMES.hdeDeltaHitRate)).toBeCloseTo(5 / 6)
  })
})
