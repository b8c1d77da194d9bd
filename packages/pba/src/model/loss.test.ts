import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { lossFunction } from './loss.js'

describe('lossFunction', () => {
  it('mse is the squared error with derivative 2e', () => {
    const mse = lossFunction('mse')
    expect(mse.value(3, 1)).toBe(4)
    expect(mse.derivative(3, 1)).toBe(4)
    expect(mse.derivative(1, 3)).toBe(-4)
  })

  it('huber is quadratic within delta and linear beyond, continuous at the kink', () => {
    const huber = lossFunction('huber', 0.5)
    expect(huber.value(0.3, 0)).toBeCloseTo(0.045, 15)
    expect(huber.value(2, 0)).toBeCloseTo(0.5 * (2 - 0.25), 15)
    expect(huber.value(0.5, 0)).toBeCloseTo(0.125, 15)
    expect(huber.value(0.5 + 1e-9, 0)).toBeCloseTo(0.125, 8)
    expect(huber.derivative(0.3, 0)).toBeCloseTo(0.3, 15)
    expect(huber.derivative(-7, 0)).toBe(-0.5)
    expect(huber.derivative(7, 0)).toBe(0.5)
  })

  it('rejects unknown kinds and bad deltas', () => {
    for (const make of [
      () => lossFunction('mae' as 'mse'),
      () => lossFunction('huber', 0),
      () => lossFunction('huber', Number.NaN),
    ]) {
      expect(make).toThrow()
      try {
        make()
      } catch (error) {
        expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
      }
    }
  })
})
