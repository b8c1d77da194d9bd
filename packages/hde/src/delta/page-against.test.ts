import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePageAgainst, encodePageAgainst } from './page-against.js'
import { pagePair } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'
import { decodesOrFrameError, thrownDwcpError } from './test-fixtures/typed-errors.js'

const PAGE = 4096
const text = (seed: number) =>
  new TextEncoder().encode(`row ${seed} of a table; `.repeat(200)).subarray(0, PAGE)

describe('a page against the receiver’s own version', () => {
  it('round-trips any page against any baseline, and without one', () => {
    fc.assert(
      fc.property(pagePair, ({ baseline, page }) => {
        const { frame } = encodePageAgainst(page, 'p7', baseline, 3)
        expectSameBytes(decodePageAgainst(frame, 'p7', baseline, Math.max(1, page.length)), page)
        const whole = encodePageAgainst(page, 'p7', undefined, 3)
        expectSameBytes(decodePageAgainst(whole.frame, 'p7', undefined, Math.max(1, page.length)), page)
      }),
    )
  })

  it('sends a page with a small write as a few dozen bytes of XBZRLE', () => {
    const baseline = text(1)
    const page = baseline.slice()
    page.set([1, 2, 3, 4, 5, 6, 7, 8], 1000)
    const { frame, algorithm } = encodePageAgainst(page, 'p1', baseline, 3)
    expect(algorithm).toBe('xbzrle')
    expect(frame.byteLength).toBeLessThan(64)
  })

  it('refuses a delta applied to another version of the page, or to another page', () => {
    const baseline = text(1)
    const page = baseline.slice()
    page[10]! ^= 0xff
    const { frame } = encodePageAgainst(page, 'p1', baseline, 3)
    const other = text(2)
    expect(thrownDwcpError(() => decodePageAgainst(frame, 'p1', other, PAGE)).message).toMatch(/version/)
    expect(thrownDwcpError(() => decodePageAgainst(frame, 'p2', baseline, PAGE)).message).toMatch(/p2/)
    expect(thrownDwcpError(() => decodePageAgainst(frame, 'p1', undefined, PAGE)).message).toMatch(/not held/)
  })

  it('gives a page or a typed error for arbitrary and corrupted frames (fuzzed)', () => {
    const baseline = text(3)
    const valid = encodePageAgainst(
      baseline.map((b, i) => (i === 5 ? b ^ 1 : b)),
      'p3',
      baseline,
      3,
    ).frame
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 128 }),
          fc
            .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }))
            .map(([at, x]) => valid.map((b, i) => (i === at ? b ^ x : b))),
          fc.nat({ max: valid.length - 1 }).map((end) => valid.subarray(0, end)),
        ),
        (frame) => {
          decodesOrFrameError(() => decodePageAgainst(frame, 'p3', baseline, PAGE))
        },
      ),
    )
  })
})
