import { describe, expect, it } from 'vitest'
import { quorumIndex } from './progress.js'

describe('quorumIndex', () => {
  it('is the highest index a majority stores', () => {
    expect(quorumIndex([5])).toBe(5)
    expect(quorumIndex([5, 3, 1])).toBe(3)
    expect(quorumIndex([5, 5, 1, 1])).toBe(1)
    expect(quorumIndex([9, 1, 7, 2, 7])).toBe(7)
  })
})
