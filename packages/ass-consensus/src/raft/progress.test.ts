import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quorumIndex } from './progress.js'

describe('quorumIndex', () => {
  it('is the highest index a majority stores', () => {
    expect(quorumIndex([5])).toBe(5)
    expect(quorumIndex([5, 3, 1])).toBe(3)
    expect(quorumIndex([5, 5, 1, 1])).toBe(1)
    expect(quorumIndex([9, 1, 7, 2, 7])).toBe(7)
  })

  it('agrees with the definition: the largest index that at least a majority reaches', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 9 }), (matches) => {
        const majority = Math.floor(matches.length / 2) + 1
        const expected = Math.max(...matches.filter((i) => matches.filter((m) => m >= i).length >= majority))
        expect(quorumIndex([...matches])).toBe(expected)
      }),
    )
  })
})
