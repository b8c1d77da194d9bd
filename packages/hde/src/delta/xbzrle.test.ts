import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pagePair, structured } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'
import { thrownDwcpError } from './test-fixtures/typed-errors.js'
import { decodeXbzrle, encodeXbzrle } from './xbzrle.js'

/** Room for any delta this encoder writes (see the bound in `encodeXbzrle`). */
const unbounded = (page: Uint8Array) => page.length + 16

describe('encodeXbzrle / decodeXbzrle', () => {
  it('round-trips random, zero, text, binary and mutated pages', () => {
    fc.assert(
      fc.property(pagePair, ({ baseline, page }) => {
        const delta = encodeXbzrle(page, baseline, unbounded(page))
        expect(delta).toBeDefined()
        expectSameBytes(decodeXbzrle(delta!, baseline), page)
      }),
      { seed: 0x2b2e1, numRuns: 2000 },
    )
  })

  it('honours its bound: a delta within the bound round-trips, none is longer', () => {
    fc.assert(
      fc.property(pagePair, fc.nat({ max: 4200 }), ({ baseline, page }, maxDeltaBytes) => {
        const full = encodeXbzrle(page, baseline, unbounded(page))!
        const bounded = encodeXbzrle(page, baseline, maxDeltaBytes)
        if (full.length <= maxDeltaBytes) expectSameBytes(bounded, full)
        else expect(bounded).toBeUndefined()
      }),
      { seed: 0x2b2e2, numRuns: 1000 },
    )
  })

  it('writes the documented pairs (golden bytes)', () => {
    const baseline = new Uint8Array(16)
    const page = baseline.slice()
    page[2] = 0xaa
    page[3] = 0xbb
    page[10] = 0xcc
    // zero run 2, literal 2 (aa bb), zero run 6, literal 1 (cc); the trailing 5 unchanged bytes are implied.
    expect([...encodeXbzrle(page, baseline, 64)!]).toEqual([2, 2, 0xaa, 0xbb, 6, 1, 0xcc])
    expect(decodeXbzrle(new Uint8Array([2, 2, 0xaa, 0xbb, 6, 1, 0xcc]), baseline)).toEqual(page)
  })

  it('XORs against the baseline rather than copying bytes', () => {
    const baseline = new Uint8Array([1, 2, 3, 4])
    const page = new Uint8Array([1, 2, 7, 4])
    expect([...encodeXbzrle(page, baseline, 8)!]).toEqual([2, 1, 3 ^ 7])
  })

  it('keeps unchanged stretches of one or two bytes inside a literal, splits at three', () => {
    const baseline = new Uint8Array(12)
    const twoGap = baseline.slice()
    twoGap[0] = 1
    twoGap[3] = 1
    expect([...encodeXbzrle(twoGap, baseline, 64)!]).toEqual([0, 4, 1, 0, 0, 1])
    const threeGap = baseline.slice()
    threeGap[0] = 1
    threeGap[4] = 1
    expect([...encodeXbzrle(threeGap, baseline, 64)!]).toEqual([0, 1, 1, 3, 1, 1])
  })

  it('encodes an unchanged page as an empty payload', () => {
    const page = structured([1, 2, 3], 4096)
    expect(encodeXbzrle(page, page.slice(), 10)).toEqual(new Uint8Array(0))
    expect(decodeXbzrle(new Uint8Array(0), page)).toEqual(page)
  })

  it('costs about ten bytes per 8-byte word written', () => {
    const baseline = structured([5, 9, 1000, 77], 4096)
    const page = baseline.slice()
    const view = new DataView(page.buffer)
    for (const offset of [64, 1024, 2048, 4000]) view.setBigUint64(offset, 0x1122_3344_5566_7788n, true)
    const delta = encodeXbzrle(page, baseline, 4095)!
    expect(delta.length).toBeLessThanOrEqual(4 * 11)
    expectSameBytes(decodeXbzrle(delta, baseline), page)
  })

  it('gives up (undefined) when the delta would exceed the bound', () => {
    const baseline = new Uint8Array(4096)
    const page = new Uint8Array(4096).map((_, i) => (i * 7 + 1) & 0xff || 1)
    expect(encodeXbzrle(page, baseline, 4095)).toBeUndefined()
    expect(encodeXbzrle(page, baseline, 0)).toBeUndefined()
  })

  it('refuses a baseline of another length and a bad bound', () => {
    const page = new Uint8Array(8)
    expect(
      thrownDwcpError(() => encodeXbzrle(page, new Uint8Array(9), 8), 'DWCP_ERR_INVALID_ARGUMENT').message,
    ).toMatch(/9 bytes, the page has 8/)
    for (const bound of [-1, 1.5, Number.NaN]) {
      thrownDwcpError(() => encodeXbzrle(page, page, bound), 'DWCP_ERR_INVALID_ARGUMENT')
    }
  })

  it('returns a fresh page and leaves the baseline untouched', () => {
    const baseline = new Uint8Array([1, 2, 3])
    const page = decodeXbzrle(new Uint8Array([0, 1, 0xff]), baseline)
    expect(page).toEqual(new Uint8Array([0xfe, 2, 3]))
    expect(baseline).toEqual(new Uint8Array([1, 2, 3]))
  })
})
