import {
  createGruStepState,
  type GruStepState,
  type GruWeights,
  gruHead,
  gruSize,
  gruStep,
} from './gru-model.js'
import type { LossFunction } from './loss.js'

/**
 * Where each weight block of a GRU sits in one flat parameter vector, so the optimiser and gradient clipping
 * can treat all parameters as a single array.
 */
export interface GruParameterLayout {
  /** F. */
  readonly inputSize: number
  /** H. */
  readonly hiddenSize: number
  /** Offset of `W` (3H × F). */
  readonly W: number
  /** Offset of `R` (3H × H). */
  readonly R: number
  /** Offset of `Wb` (3H). */
  readonly Wb: number
  /** Offset of `Rb` (3H). */
  readonly Rb: number
  /** Offset of `headW` (H). */
  readonly headW: number
  /** Offset of `headB` (1). */
  readonly headB: number
  /** Number of parameters. */
  readonly size: number
}

/** The flat layout of a GRU with `inputSize` features and `hiddenSize` units. */
export function gruParameterLayout(inputSize: number, hiddenSize: number): GruParameterLayout {
  const F = gruSize('inputSize', inputSize)
  const H = gruSize('hiddenSize', hiddenSize)
  const W = 0
  const R = W + 3 * H * F
  const Wb = R + 3 * H * H
  const Rb = Wb + 3 * H
  const headW = Rb + 3 * H
  const headB = headW + H
  return { inputSize: F, hiddenSize: H, W, R, Wb, Rb, headW, headB, size: headB + 1 }
}

/** Copies `weights` into a new float64 vector laid out as `layout`. */
export function flattenGruWeights(weights: GruWeights, layout: GruParameterLayout): Float64Array {
  const params = new Float64Array(layout.size)
  params.set(weights.W, layout.W)
  params.set(weights.R, layout.R)
  params.set(weights.Wb, layout.Wb)
  params.set(weights.Rb, layout.Rb)
  params.set(weights.headW, layout.headW)
  params[layout.headB] = weights.headB
  return params
}

/**
 * {@link GruWeights} whose arrays are views into `params` (no copy). `headB` is a number and so a snapshot:
 * take a new view after the parameters change.
 */
export function gruWeightsView(layout: GruParameterLayout, params: Float64Array): GruWeights {
  const { inputSize: F, hiddenSize: H } = layout
  return {
    inputSize: F,
    hiddenSize: H,
    W: params.subarray(layout.W, layout.W + 3 * H * F),
    R: params.subarray(layout.R, layout.R + 3 * H * H),
    Wb: params.subarray(layout.Wb, layout.Wb + 3 * H),
    Rb: params.subarray(layout.Rb, layout.Rb + 3 * H),
    headW: params.subarray(layout.headW, layout.headW + H),
    headB: params[layout.headB]!,
  }
}

/**
 * Backpropagation through time for one GRU + head. Keeps the activations of every step of the sample being
 * differentiated; the buffers grow to the longest sequence seen and are reused, so a training epoch allocates
 * nothing per sample.
 */
export class GruBackprop {
  readonly #layout: GruParameterLayout
  #steps: GruStepState[] = []
  readonly #h0: Float64Array
  readonly #dh: Float64Array
  readonly #dhPrev: Float64Array
  readonly #daz: Float64Array
  readonly #dar: Float64Array
  readonly #dan: Float64Array
  readonly #dq: Float64Array

  /** @param layout - the layout of the parameter and gradient vectors this instance works on */
  constructor(layout: GruParameterLayout) {
    this.#layout = layout
    const H = layout.hiddenSize
    this.#h0 = new Float64Array(H)
    this.#dh = new Float64Array(H)
    this.#dhPrev = new Float64Array(H)
    this.#daz = new Float64Array(H)
    this.#dar = new Float64Array(H)
    this.#dan = new Float64Array(H)
    this.#dq = new Float64Array(H)
  }

  /**
   * Runs the sample forward, then adds `scale · ∂loss/∂params` into `gradient` (laid out as the layout given to
   * the constructor). Returns the sample's loss. The sequence is not validated here: the trainer checks the
   * whole dataset once.
   *
   * @param weights - a view of the current parameters (see {@link gruWeightsView})
   * @param scale - weight of this sample in the batch, typically 1 / batch size
   */
  accumulate(
    weights: GruWeights,
    sequence: readonly ArrayLike<number>[],
    target: number,
    loss: LossFunction,
    scale: number,
    gradient: Float64Array,
  ): number {
    const layout = this.#layout
    const F = layout.inputSize
    const H = layout.hiddenSize
    const T = sequence.length
    while (this.#steps.length < T) this.#steps.push(createGruStepState(H))
    const steps = this.#steps

    let hPrev: Float64Array = this.#h0
    for (let t = 0; t < T; t++) {
      gruStep(weights, sequence[t]!, hPrev, steps[t]!)
      hPrev = steps[t]!.h
    }
    const prediction = gruHead(weights, hPrev)
    const value = loss.value(prediction, target)
    const dy = scale * loss.derivative(prediction, target)

    const { R, headW } = weights
    const dh = this.#dh
    gradient[layout.headB] = gradient[layout.headB]! + dy
    for (let i = 0; i < H; i++) {
      gradient[layout.headW + i] = gradient[layout.headW + i]! + dy * hPrev[i]!
      dh[i] = dy * headW[i]!
    }

    const daz = this.#daz
    const dar = this.#dar
    const dan = this.#dan
    const dq = this.#dq
    const dhPrev = this.#dhPrev
    for (let t = T - 1; t >= 0; t--) {
      const { z, r, n, q } = steps[t]!
      const x = sequence[t]!
      const hBefore = t > 0 ? steps[t - 1]!.h : this.#h0
      // Local derivatives of h' = (1 − z) h̃ + z h and of the gate pre-activations.
      for (let i = 0; i < H; i++) {
        const g = dh[i]!
        const dn = g * (1 - z[i]!)
        const dz = g * (hBefore[i]! - n[i]!)
        dhPrev[i] = g * z[i]!
        const dAn = dn * (1 - n[i]! * n[i]!)
        dan[i] = dAn
        dq[i] = dAn * r[i]!
        dar[i] = dAn * q[i]! * r[i]! * (1 - r[i]!)
        daz[i] = dz * z[i]! * (1 - z[i]!)
      }
      for (let i = 0; i < H; i++) {
        const rowZ = i
        const rowR = H + i
        const rowH = 2 * H + i
        const gz = daz[i]!
        const gr = dar[i]!
        const gn = dan[i]!
        const gq = dq[i]!
        gradient[layout.Wb + rowZ] = gradient[layout.Wb + rowZ]! + gz
        gradient[layout.Wb + rowR] = gradient[layout.Wb + rowR]! + gr
        gradient[layout.Wb + rowH] = gradient[layout.Wb + rowH]! + gn
        gradient[layout.Rb + rowZ] = gradient[layout.Rb + rowZ]! + gz
        gradient[layout.Rb + rowR] = gradient[layout.Rb + rowR]! + gr
        // Rb_h sits inside the reset product, so it gets the gradient of q, not of the candidate's pre-activation.
        gradient[layout.Rb + rowH] = gradient[layout.Rb + rowH]! + gq
        for (let f = 0; f < F; f++) {
          const xf = x[f]!
          gradient[layout.W + rowZ * F + f] = gradient[layout.W + rowZ * F + f]! + gz * xf
          gradient[layout.W + rowR * F + f] = gradient[layout.W + rowR * F + f]! + gr * xf
          gradient[layout.W + rowH * F + f] = gradient[layout.W + rowH * F + f]! + gn * xf
        }
        for (let j = 0; j < H; j++) {
          const hj = hBefore[j]!
          gradient[layout.R + rowZ * H + j] = gradient[layout.R + rowZ * H + j]! + gz * hj
          gradient[layout.R + rowR * H + j] = gradient[layout.R + rowR * H + j]! + gr * hj
          gradient[layout.R + rowH * H + j] = gradient[layout.R + rowH * H + j]! + gq * hj
          dhPrev[j] = dhPrev[j]! + R[rowZ * H + j]! * gz + R[rowR * H + j]! * gr + R[rowH * H + j]! * gq
        }
      }
      dh.set(dhPrev)
    }
    return value
  }
}
