import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import {
  assertValidGruWeights,
  forwardGru,
  type GruWeights,
  initGruWeights,
  toFloat32Weights,
} from './gru-model.js'
import { randomWeights } from './test-support.js'

function expectInvalid(fn: () => unknown, argument?: string): void {
  try {
    fn()
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    if (argument !== undefined) expect((error as { data: { argument: string } }).data.argument).toBe(argument)
    return
  }
  throw new Error('expected an InvalidArgumentError')
}

/** A 1-unit, 1-feature GRU with the given gate parameters, all else 0. */
function scalarGru(
  fields: Partial<Record<'Wz' | 'Wr' | 'Wh' | 'Rz' | 'Rr' | 'Rh' | 'bz' | 'br' | 'bh' | 'Rbh', number>>,
) {
  const f = { Wz: 0, Wr: 0, Wh: 0, Rz: 0, Rr: 0, Rh: 0, bz: 0, br: 0, bh: 0, Rbh: 0, ...fields }
  const weights: GruWeights = {
    inputSize: 1,
    hiddenSize: 1,
    W: Float64Array.of(f.Wz, f.Wr, f.Wh),
    R: Float64Array.of(f.Rz, f.Rr, f.Rh),
    Wb: Float64Array.of(f.bz, f.br, f.bh),
    Rb: Float64Array.of(0, 0, f.Rbh),
    headW: Float64Array.of(1),
    headB: 0,
  }
  return { f, weights }
}

describe('initGruWeights', () => {
  it('is deterministic in the seed and bounded by 1/√H', () => {
    const a = initGruWeights({ inputSize: 3, hiddenSize: 9, seed: 11 })
    const b = initGruWeights({ inputSize: 3, hiddenSize: 9, seed: 11 })
    const c = initGruWeights({ inputSize: 3, hiddenSize: 9, seed: 12 })
    expect(a).toEqual(b)
    expect(a.W).not.toEqual(c.W)
    expect([a.W.length, a.R.length, a.Wb.length, a.Rb.length, a.headW.length]).toEqual([81, 243, 27, 27, 9])
    expect(a.headB).toBe(0)
    for (const array of [a.W, a.R, a.Wb, a.Rb, a.headW])
      for (const value of array) expect(Math.abs(value)).toBeLessThanOrEqual(1 / 3)
    expect(() => assertValidGruWeights(a)).not.toThrow()
  })

  it('rejects bad sizes and seeds', () => {
    expectInvalid(() => initGruWeights({ inputSize: 0, hiddenSize: 4, seed: 1 }), 'inputSize')
    expectInvalid(() => initGruWeights({ inputSize: 2, hiddenSize: 2.5, seed: 1 }), 'hiddenSize')
    expectInvalid(() => initGruWeights({ inputSize: 2, hiddenSize: 4, seed: Number.NaN }), 'seed')
  })
})

describe('forwardGru', () => {
  it('matches the ONNX GRU equations computed by hand for one unit over two steps', () => {
    const { f, weights } = scalarGru({
      Wz: 0.3,
      Wr: -0.7,
      Wh: 1.1,
      Rz: 0.4,
      Rr: 0.9,
      Rh: -0.6,
      bz: 0.1,
      br: -0.2,
      bh: 0.05,
      Rbh: 0.25,
    })
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
    let h = 0
    for (const x of [0.5, -1.25]) {
      const z = sigmoid(f.Wz * x + f.bz + f.Rz * h)
      const r = sigmoid(f.Wr * x + f.br + f.Rr * h)
      const n = Math.tanh(f.Wh * x + f.bh + r * (f.Rh * h + f.Rbh))
      h = (1 - z) * n + z * h
    }
    expect(forwardGru(weights, [Float32Array.of(0.5), Float32Array.of(-1.25)])).toBeCloseTo(h, 14)
  })

  it('uses the gate order z, r, h: a saturated first gate keeps the zero initial state', () => {
    // If the first block were the reset gate (PyTorch's order), the state would move with the input.
    const { weights } = scalarGru({ bz: 50, Wh: 2, bh: 1 })
    expect(Math.abs(forwardGru(weights, [Float32Array.of(3), Float32Array.of(-2)]))).toBeLessThan(1e-20)
  })

  it('applies the reset gate after the recurrent bias (linear_before_reset = 1)', () => {
    // With r ≈ 0, r ⊙ (R_h h + Rb_h) vanishes, so Rb_h has no effect; with linear_before_reset = 0 it would.
    const closed = (Rbh: number) =>
      forwardGru(scalarGru({ br: -60, Wh: 0.5, Rbh }).weights, [Float32Array.of(1)])
    expect(closed(3)).toBeCloseTo(closed(0), 12)
    expect(closed(0)).toBeCloseTo(Math.tanh(0.5) * 0.5, 12)
    // With r ≈ 1 it adds inside the tanh.
    const open = (Rbh: number) =>
      forwardGru(scalarGru({ br: 60, Wh: 0.5, Rbh }).weights, [Float32Array.of(1)])
    expect(open(0.3)).toBeCloseTo(Math.tanh(0.8) * 0.5, 12)
  })

  it('gives the same output for float32 and float64 copies of float32 weights', () => {
    const weights = randomWeights(3, 5, 1)
    const wide: GruWeights = { ...weights, W: Float64Array.from(weights.W), R: Float64Array.from(weights.R) }
    const sequence = [Float32Array.of(1, 2, 3), Float32Array.of(-1, 0.5, 0)]
    expect(forwardGru(wide, sequence)).toBe(forwardGru(weights, sequence))
    expect(toFloat32Weights(wide)).toEqual(weights)
  })

  it('rejects malformed sequences with the position of the problem', () => {
    const weights = randomWeights(2, 3, 2)
    expectInvalid(() => forwardGru(weights, []), 'sequence')
    expectInvalid(() => forwardGru(weights, [Float32Array.of(1, 2), Float32Array.of(1)]), 'sequence[1]')
    expectInvalid(() => forwardGru(weights, [Float32Array.of(1, Number.NaN)]), 'sequence[0][1]')
  })
})

describe('assertValidGruWeights', () => {
  it('names the first malformed field', () => {
    const weights = randomWeights(2, 3, 3)
    expectInvalid(() => assertValidGruWeights({ ...weights, R: new Float32Array(5) }), 'weights.R')
    expectInvalid(
      () => assertValidGruWeights({ ...weights, headW: Float32Array.of(1, Number.NaN, 0) }),
      'weights.headW',
    )
    expectInvalid(
      () => assertValidGruWeights({ ...weights, headB: Number.POSITIVE_INFINITY }),
      'weights.headB',
    )
  })
})
