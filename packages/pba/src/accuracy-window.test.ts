import { InvalidArgumentError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { AccuracyWindow } from './accuracy-window.js'

describe('AccuracyWindow', () => {
  it('reports nothing known before the first score: MAPE NaN, accuracy and confidence 0', () => {
    const window = new AccuracyWindow(10)
    const snapshot = window.snapshot()
    expect(snapshot.samples).toBe(0)
    expect(snapshot.meanAbsolutePercentageError).toBeNaN()
    expect(snapshot.accuracy).toBe(0)
    expect(window.confidence()).toBe(0)
  })

  it('averages absolute percentage errors', () => {
    const window = new AccuracyWindow(10)
    expect(window.record(1.1e6, 1e6)).toBe(true) // 10 % over
    expect(window.record(0.5e6, 1e6)).toBe(true) // 50 % under
    const snapshot = window.snapshot()
    expect(snapshot.samples).toBe(2)
    expect(snapshot.meanAbsolutePercentageError).toBeCloseTo(0.3, 12)
    expect(snapshot.accuracy).toBeCloseTo(0.7, 12)
    expect(window.confidence()).toBeCloseTo(0.7, 12)
  })

  it('skips a zero observation', () => {
    const window = new AccuracyWindow(10)
    expect(window.record(1e6, 0)).toBe(false)
    expect(window.samples).toBe(0)
  })

  it('clamps accuracy at 0 when the error exceeds 100 %', () => {
    const window = new AccuracyWindow(10)
    window.record(3e6, 1e6) // 200 % over
    expect(window.snapshot()).toEqual({ samples: 1, meanAbsolutePercentageError: 2, accuracy: 0 })
  })

  it('keeps only the last `capacity` errors', () => {
    const window = new AccuracyWindow(3)
    for (const forecastMbps of [2, 2, 1.1, 1.2, 1.3]) window.record(forecastMbps * 1e6, 1e6)
    const snapshot = window.snapshot()
    expect(snapshot.samples).toBe(3)
    expect(snapshot.meanAbsolutePercentageError).toBeCloseTo(0.2, 12) // mean of 0.1, 0.2, 0.3
  })

  it('does not drift over many laps of the window', () => {
    const window = new AccuracyWindow(7)
    const errors: number[] = []
    for (let i = 0; i < 10_000; i++) {
      const error = ((i * 7919) % 1000) / 997
      errors.push(error)
      window.record(1e6 * (1 + error), 1e6)
    }
    const exact = errors.slice(-7).reduce((total, e) => total + e, 0) / 7
    expect(window.snapshot().meanAbsolutePercentageError).toBeCloseTo(exact, 12)
  })

  it.each([0, 1.5, -1, 100_001, Number.NaN])('rejects a capacity of %s', (capacity) => {
    expect(() => new AccuracyWindow(capacity)).toThrow(InvalidArgumentError)
  })
})
