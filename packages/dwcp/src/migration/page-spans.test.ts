import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_SPAN_GAP_PAGES, MAX_SPAN_PAGES, spanEnd } from './page-spans.js'

const spans = (pages: number[]) => {
  const out: number[][] = []
  for (let i = 0; i < pages.length; ) {
    const end = spanEnd(pages.length, i, (k) => pages[k]!)
    out.push(pages.slice(i, end))
    i = end
  }
  return out
}

describe('page spans', () => {
  it('join pages separated by small gaps and split at large gaps, at the span limit and out of order', () => {
    expect(spans([1, 2, 3, 8, 9, 20])).toEqual([[1, 2, 3, 8, 9], [20]])
    expect(spans([5, 4])).toEqual([[5], [4]])
    expect(spans(Array.from({ length: 70 }, (_, i) => i)).map((s) => s.length)).toEqual([64, 6])
  })

  it('cover every page once, in order, each span ascending within its limits', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { minLength: 1, maxLength: 200 }), (pages) => {
        const all = spans(pages)
        expect(all.flat()).toEqual(pages)
        for (const span of all) {
          expect(span.at(-1)! - span[0]!).toBeLessThan(MAX_SPAN_PAGES)
          for (let k = 1; k < span.length; k++) {
            expect(span[k]!).toBeGreaterThan(span[k - 1]!)
            expect(span[k]! - span[k - 1]!).toBeLessThanOrEqual(MAX_SPAN_GAP_PAGES + 1)
          }
        }
      }),
    )
  })
})
