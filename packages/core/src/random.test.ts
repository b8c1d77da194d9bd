import { describe, expect, it } from 'vitest'
import { seededRandom } from './random.js'

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const take = (seed: number) => {
      const r = seededRandom(seed)
      return Array.from({ length: 5 }, () => r.next())
    }
    expect(take(7)).toEqual(take(7))
    expect(take(7)).not.toEqual(take(8))
  })

  it('stays in [0, 1) with a roughly uniform mean', () => {
    const r = seededRandom(1)
    let sum = 0
    for (let i = 0; i < 100_000; i++) {
      const x = r.next()
      expect(x >= 0 && x < 1).toBe(true)
      sum += x
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01)
  })
})
