import { seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { flattenGruWeights, GruBackprop, gruParameterLayout, gruWeightsView } from './gru-gradients.js'
import { forwardGru } from './gru-model.js'
import type { GruSample } from './gru-trainer.js'
import { type GruLossKind, lossFunction } from './loss.js'
import { randomSequence, randomWeights, uniform } from './test-support.js'

const F = 3
const H = 4
const T = 6

function samples(seed: number, count: number): GruSample[] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, () => ({
    sequence: randomSequence(T, F, random),
    target: uniform(random, 2),
  }))
}

/** Mean loss of the parameters `params` over `batch`, through the reference forward pass. */
function meanLoss(params: Float64Array, batch: GruSample[], kind: GruLossKind, delta: number): number {
  const layout = gruParameterLayout(F, H)
  const loss = lossFunction(kind, delta)
  const weights = gruWeightsView(layout, params)
  return (
    batch.reduce((sum, s) => sum + loss.value(forwardGru(weights, s.sequence), s.target), 0) / batch.length
  )
}

describe('gruParameterLayout and views', () => {
  it('round-trips weights through the flat vector, and views alias it', () => {
    const layout = gruParameterLayout(F, H)
    expect(layout.size).toBe(3 * H * F + 3 * H * H + 6 * H + H + 1)
    const weights = randomWeights(F, H, 5)
    const params = flattenGruWeights(weights, layout)
    const view = gruWeightsView(layout, params)
    expect(Float32Array.from(view.W)).toEqual(weights.W)
    expect(Float32Array.from(view.Rb)).toEqual(weights.Rb)
    expect(view.headB).toBe(weights.headB)
    params[layout.R] = 42
    expect(view.R[0]).toBe(42)
  })
})

describe('GruBackprop', () => {
  // Central differences on every parameter: h = 1e-6 leaves a truncation error ~h² and a rounding error
  // ~1e-16/h, both far below the tolerance.
  it.each([
    ['mse', 1],
    ['huber', 0.4],
  ] as const)('matches finite differences on every parameter (%s)', (kind, delta) => {
    const layout = gruParameterLayout(F, H)
    const params = flattenGruWeights(randomWeights(F, H, 17), layout)
    const batch = samples(23, 5)
    const loss = lossFunction(kind, delta)
    if (kind === 'huber') {
      // Both regimes must be exercised, and no sample may sit at the kink where the derivative jumps.
      const errors = batch.map((s) =>
        Math.abs(forwardGru(gruWeightsView(layout, params), s.sequence) - s.target),
      )
      expect(errors.some((e) => e < delta - 0.01)).toBe(true)
      expect(errors.some((e) => e > delta + 0.01)).toBe(true)
      expect(errors.every((e) => Math.abs(e - delta) > 1e-3)).toBe(true)
    }

    const gradient = new Float64Array(layout.size)
    const backprop = new GruBackprop(layout)
    const weights = gruWeightsView(layout, params)
    let lossSum = 0
    for (const s of batch)
      lossSum += backprop.accumulate(weights, s.sequence, s.target, loss, 1 / batch.length, gradient)
    expect(lossSum / batch.length).toBeCloseTo(meanLoss(params, batch, kind, delta), 12)

    const h = 1e-6
    let worst = 0
    for (let i = 0; i < layout.size; i++) {
      const saved = params[i]!
      params[i] = saved + h
      const up = meanLoss(params, batch, kind, delta)
      params[i] = saved - h
      const down = meanLoss(params, batch, kind, delta)
      params[i] = saved
      const numeric = (up - down) / (2 * h)
      const error =
        Math.abs(numeric - gradient[i]!) / Math.max(1e-3, Math.abs(numeric) + Math.abs(gradient[i]!))
      worst = Math.max(worst, error)
    }
    expect(worst).toBeLessThan(1e-6)
    // The check must not pass vacuously on a zero gradient.
    expect(gradient.some((g) => Math.abs(g) > 1e-3)).toBe(true)
  })

  it('accumulates: two calls add their gradients, and buffers are reused across sequence lengths', () => {
    const layout = gruParameterLayout(F, H)
    const weights = gruWeightsView(layout, flattenGruWeights(randomWeights(F, H, 3), layout))
    const [a, b] = samples(4, 2)
    const loss = lossFunction('mse')
    const backprop = new GruBackprop(layout)
    const both = new Float64Array(layout.size)
    backprop.accumulate(weights, a!.sequence, a!.target, loss, 1, both)
    backprop.accumulate(weights, b!.sequence.slice(0, 2), b!.target, loss, 1, both)
    const first = new Float64Array(layout.size)
    const second = new Float64Array(layout.size)
    new GruBackprop(layout).accumulate(weights, a!.sequence, a!.target, loss, 1, first)
    new GruBackprop(layout).accumulate(weights, b!.sequence.slice(0, 2), b!.target, loss, 1, second)
    both.forEach((g, i) => {
      expect(g).toBeCloseTo(first[i]! + second[i]!, 12)
    })
  })
})
