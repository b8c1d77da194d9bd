import { describe, expect, it } from 'vitest'
import { AdamOptimizer, clipGradientNorm } from './adam.js'

describe('AdamOptimizer', () => {
  it('moves each parameter by about the learning rate on the first step, whatever the gradient scale', () => {
    // Bias correction makes the first update lr · g / |g|.
    const params = Float64Array.of(1, 1, 1)
    new AdamOptimizer(3, { learningRate: 0.01 }).step(params, Float64Array.of(1000, -0.001, 0))
    expect(params[0]).toBeCloseTo(0.99, 9)
    expect(params[1]).toBeCloseTo(1.01, 6)
    expect(params[2]).toBe(1)
  })

  it('minimises an ill-conditioned quadratic', () => {
    const scales = [1, 100]
    const params = Float64Array.of(3, -2)
    const optimizer = new AdamOptimizer(2, { learningRate: 0.05 })
    const gradient = new Float64Array(2)
    for (let i = 0; i < 2000; i++) {
      params.forEach((p, k) => {
        gradient[k] = 2 * scales[k]! * p
      })
      optimizer.step(params, gradient)
    }
    expect(optimizer.steps).toBe(2000)
    expect(Math.abs(params[0]!)).toBeLessThan(1e-2)
    expect(Math.abs(params[1]!)).toBeLessThan(1e-2)
  })
})

describe('clipGradientNorm', () => {
  it('scales a gradient above the bound down to it and leaves a smaller one alone', () => {
    const big = Float64Array.of(3, 4)
    expect(clipGradientNorm(big, 1)).toBe(5)
    expect(big[0]).toBeCloseTo(0.6, 15)
    expect(big[1]).toBeCloseTo(0.8, 15)
    const small = Float64Array.of(0.3, 0.4)
    expect(clipGradientNorm(small, 1)).toBeCloseTo(0.5, 15)
    expect(Array.from(small)).toEqual([0.3, 0.4])
    const zero = new Float64Array(2)
    expect(clipGradientNorm(zero, 0.1)).toBe(0)
    expect(clipGradientNorm(Float64Array.of(1e10), Number.POSITIVE_INFINITY)).toBe(1e10)
  })
})
