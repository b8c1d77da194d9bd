/** Hyper-parameters of {@link AdamOptimizer}. */
export interface AdamOptions {
  /** Step size α. */
  learningRate: number
  /** Decay of the first-moment estimate β₁. @default 0.9 */
  beta1?: number
  /** Decay of the second-moment estimate β₂. @default 0.999 */
  beta2?: number
  /** ε added to the root of the second moment, so a parameter with no gradient yet does not divide by 0. @default 1e-8 */
  epsilon?: number
}

/**
 * Adam (Kingma & Ba, 2015) over one flat float64 parameter vector, with bias-corrected moment estimates. Holds
 * two vectors the size of the parameters; deterministic (no randomness, a fixed order of operations).
 */
export class AdamOptimizer {
  readonly #m: Float64Array
  readonly #v: Float64Array
  readonly #learningRate: number
  readonly #beta1: number
  readonly #beta2: number
  readonly #epsilon: number
  #steps = 0

  /** @param size - number of parameters */
  constructor(size: number, options: AdamOptions) {
    this.#m = new Float64Array(size)
    this.#v = new Float64Array(size)
    this.#learningRate = options.learningRate
    this.#beta1 = options.beta1 ?? 0.9
    this.#beta2 = options.beta2 ?? 0.999
    this.#epsilon = options.epsilon ?? 1e-8
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.#steps
  }

  /** Moves `params` one step against `gradient` (both of the constructor's size), in place. */
  step(params: Float64Array, gradient: Float64Array): void {
    this.#steps++
    const b1 = this.#beta1
    const b2 = this.#beta2
    const correction1 = 1 - b1 ** this.#steps
    const correction2 = 1 - b2 ** this.#steps
    const m = this.#m
    const v = this.#v
    for (let i = 0; i < params.length; i++) {
      const g = gradient[i]!
      const mi = b1 * m[i]! + (1 - b1) * g
      const vi = b2 * v[i]! + (1 - b2) * g * g
      m[i] = mi
      v[i] = vi
      params[i] =
        params[i]! - (this.#learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + this.#epsilon)
    }
  }
}

/**
 * Scales `gradient` in place so its global L2 norm is at most `maxNorm` (Pascanu et al., 2013): BPTT through
 * a long window can produce a rare huge gradient that would throw the weights far off. Returns the norm
 * before clipping. A `maxNorm` of `Infinity` only measures.
 */
export function clipGradientNorm(gradient: Float64Array, maxNorm: number): number {
  let sum = 0
  for (const g of gradient) sum += g * g
  const norm = Math.sqrt(sum)
  if (norm > maxNorm && norm > 0) {
    const factor = maxNorm / norm
    for (let i = 0; i < gradient.length; i++) gradient[i] = gradient[i]! * factor
  }
  return norm
}
