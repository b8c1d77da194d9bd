/**
 * Measurement (sizes, not time): a memory-like image of 2048 pages is sent once, then 5 % of its pages are
 * dirtied by a few 8-byte writes each and sent again. The second round must cost at most 1/20 of the dirty pages'
 * raw bytes, frame headers and end frames included.
 */
import { METRIC_NAMES, type Random, seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { migration } from './test-fixtures/migration.js'
import { repeatText, structured } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'

const PAGE_BYTES = 4096
const PAGE_COUNT = 2048
const DIRTY_FRACTION = 0.05
const WORDS = ['kernel', 'vm', 'page', 'cache', 'inode', 'socket', 'buffer', 'task', 'lock', 'queue']

const pick = (random: Random, count: number) => Math.floor(random.next() * count)

/** One page of a guest image: zero (30 %), heap-like words (35 %), text (20 %) or incompressible (15 %). */
function guestPage(random: Random): Uint8Array {
  const kind = random.next()
  if (kind < 0.3) return new Uint8Array(PAGE_BYTES)
  if (kind < 0.65) {
    const words = Array.from({ length: 1 + pick(random, 64) }, () => pick(random, 0x10000))
    return structured(words, PAGE_BYTES)
  }
  if (kind < 0.85) {
    const text = Array.from({ length: 4 + pick(random, 40) }, () => WORDS[pick(random, WORDS.length)]).join(
      ' ',
    )
    return repeatText(`${text}\n`, PAGE_BYTES)
  }
  return new Uint8Array(PAGE_BYTES).map(() => pick(random, 256))
}

/** Writes 1–4 aligned 8-byte words of new values, as a guest dirtying a page between two rounds does. */
function dirty(page: Uint8Array, random: Random): void {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength)
  const writes = 1 + pick(random, 4)
  for (let i = 0; i < writes; i++) {
    const offset = pick(random, PAGE_BYTES / 8) * 8
    view.setUint32(offset, pick(random, 2 ** 32), true)
    view.setUint32(offset + 4, pick(random, 2 ** 32), true)
  }
}

describe('delta codec on a memory-like image', () => {
  it('sends 5 % dirty pages (a few words each) for at most 1/20 of their raw bytes', async () => {
    const random = seededRandom(0x3e3)
    const m = migration({ senderMaxBytes: PAGE_COUNT * PAGE_BYTES })
    const image = Array.from({ length: PAGE_COUNT }, () => guestPage(random))
    // One chunk per page: dirty tracking works on pages, and a later round sends exactly the dirty ones.
    const idOf = (pageNumber: number) => `vm-1/mem/${pageNumber}`

    let round1Bytes = 0
    for (const [pageNumber, page] of image.entries()) {
      const { frame } = await m.send(page, idOf(pageNumber))
      round1Bytes += frame.length
      expectSameBytes(await m.receive(frame, idOf(pageNumber)), page)
    }

    const dirtyPages = new Set<number>()
    while (dirtyPages.size < Math.round(PAGE_COUNT * DIRTY_FRACTION)) dirtyPages.add(pick(random, PAGE_COUNT))
    let round2Bytes = 0
    for (const pageNumber of [...dirtyPages].sort((a, b) => a - b)) {
      const page = image[pageNumber]!
      dirty(page, random)
      const { frame } = await m.send(page, idOf(pageNumber))
      round2Bytes += frame.length
      expectSameBytes(await m.receive(frame, idOf(pageNumber)), page)
    }

    const rawDirtyBytes = dirtyPages.size * PAGE_BYTES
    expect(dirtyPages.size).toBe(102)
    expect(round2Bytes, `round 2: ${round2Bytes} bytes for ${rawDirtyBytes} raw`).toBeLessThanOrEqual(
      rawDirtyBytes / 20,
    )
    // Round 1 has no baselines: it is only compressed, and must still beat the raw image.
    expect(round1Bytes).toBeLessThan(PAGE_COUNT * PAGE_BYTES)
    // Every dirty page had its baseline and went as a delta.
    expect(m.metrics.gaugeValue(METRIC_NAMES.hdeDeltaHitRate)).toBe(1)
    expect(m.senderStore.ids()).toEqual(m.receiverStore.ids())
  })
})
