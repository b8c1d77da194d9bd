import { seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { binomialHalfWidth, lossConsistent, median } from './statistics.js'

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(() => median([])).toThrow(RangeError)
  })
})

describe('loss bounds', () => {
  it('are ±0.46 points at 1 % over 5000 packets: far wider than 10 % of 1 %', () => {
    expect(binomialHalfWidth(0.01, 5000)).toBeCloseTo(0.00463, 4)
    expect(binomialHalfWidth(0.01, 5000)).toBeGreaterThan(0.001)
  })

  it('reject a 10 % relative check for about half of honest samples, the binomial bound almost never', () => {
    const random = seededRandom(2024)
    const trials = 5000
    const p = 0.01
    let outsideTenPercent = 0
    let outsideBound = 0
    for (let run = 0; run < 400; run += 1) {
      let losses = 0
      for (let i = 0; i < trials; i += 1) if (random.next() < p) losses += 1
      if (Math.abs(losses / trials - p) > 0.1 * p) outsideTenPercent += 1
      if (!lossConsistent(losses, trials, p)) outsideBound += 1
    }
    // Repeat with: seed 2024, 400 runs of 5000 Bernoulli(0.01) draws.
    expect(outsideTenPercent).toBeGreaterThan(150)
    expect(outsideBound).toBeLessThanOrEqual(4)
  })

  it('flag a loss rate that is clearly off', () => {
    expect(lossConsistent(100, 5000, 0.01)).toBe(false)
    expect(lossConsistent(0, 5000, 0.01)).toBe(false)
    expect(lossConsistent(1, 5000, 0)).toBe(true)
    expect(lossConsistent(5, 5000, 0)).toBe(false)
  })
})
