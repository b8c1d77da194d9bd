/**
 * Test support: fast-check arbitraries of pages and of (baseline, new page) pairs shaped like guest memory:
 * random bytes, zero pages, text, structured binary (little-endian words and pointers), and new versions made
 * by a few writes, many writes, word-sized writes, a shift of the content, or a rewrite. Used only by tests.
 */
import fc from 'fast-check'

/** Page lengths the properties cover: empty, shorter than zstd's dictionary minimum, odd, and real pages. */
export const PAGE_LENGTHS = [0, 1, 7, 8, 13, 64, 500, 4096] as const

/** A page of `length` bytes: random, zero, text or structured binary. */
export function basePage(length: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ minLength: length, maxLength: length }),
    fc.constant(new Uint8Array(length)),
    fc
      .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 80 })
      .map((text) => repeatText(text, length)),
    fc
      .array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: 32 })
      .map((words) => structured(words, length)),
  )
}

/** A new version of `base`: unchanged, a few bytes changed, many changed, words written, shifted, rewritten. */
export function mutatedPage(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const length = base.length
  const anyIndex = fc.nat({ max: Math.max(0, length - 1) })
  const writes = (maxWrites: number) =>
    fc.array(fc.tuple(anyIndex, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: maxWrites })
  const applyWrites = (pairs: [number, number][]) => {
    const page = base.slice()
    for (const [index, value] of pairs) if (index < length) page[index]! ^= value
    return page
  }
  return fc.oneof(
    fc.constant(base.slice()),
    writes(4).map(applyWrites),
    // Many scattered writes; a fully rewritten page is the random case below.
    writes(Math.min(Math.max(1, length), 512)).map(applyWrites),
    fc
      .array(fc.tuple(anyIndex, fc.bigInt({ min: 1n, max: (1n << 64n) - 1n })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((words) => writeWords(base, words)),
    fc.integer({ min: 1, max: 64 }).map((shift) => shifted(base, shift)),
    fc.uint8Array({ minLength: length, maxLength: length }),
    fc.constant(new Uint8Array(length)),
  )
}

/** A (baseline, new page) pair of one of {@link PAGE_LENGTHS}. */
export const pagePair: fc.Arbitrary<{ baseline: Uint8Array; page: Uint8Array }> = fc
  .constantFrom(...PAGE_LENGTHS)
  .chain(basePage)
  .chain((baseline) => mutatedPage(baseline).map((page) => ({ baseline, page })))

/** `text` repeated to fill `length` bytes. */
export function repeatText(text: string, length: number): Uint8Array {
  const bytes = new TextEncoder().encode(text)
  const page = new Uint8Array(length)
  for (let i = 0; i < length; i++) page[i] = bytes[i % bytes.length]!
  return page
}

/** A page of 8-byte little-endian slots: small counters and pointer-like values into one region. */
export function structured(words: readonly number[], length: number): Uint8Array {
  const page = new Uint8Array(length)
  const view = new DataView(page.buffer)
  for (let slot = 0; slot + 8 <= length; slot += 8) {
    const word = words[(slot / 8) % words.length]!
    // Alternate counters and pointers (a high base plus an offset), as heaps and page tables look.
    const value = (slot / 8) % 2 === 0 ? word : 0x7f00_0000 + word * 8
    view.setUint32(slot, value, true)
  }
  return page
}

/** `base` with 8-byte words written at the given offsets (clipped to the page). */
function writeWords(base: Uint8Array, words: readonly [number, bigint][]): Uint8Array {
  const page = base.slice()
  for (const [offset, value] of words) {
    for (let k = 0; k < 8 && offset + k < page.length; k++)
      page[offset + k] = Number((value >> BigInt(8 * k)) & 0xffn)
  }
  return page
}

/** `base` with its content moved `shift` bytes towards the end, the freed start filled with new bytes. */
function shifted(base: Uint8Array, shift: number): Uint8Array {
  const page = new Uint8Array(base.length)
  page.set(base.subarray(0, Math.max(0, base.length - shift)), Math.min(shift, base.length))
  for (let i = 0; i < Math.min(shift, base.length); i++) page[i] = (i * 31 + 7) & 0xff
  return page
}
