import { InvalidArgumentError, seededRandom } from '@dwcp/core'

/** A parameter array: float32 for shipped weights (what the ONNX file holds), float64 while training. */
export type GruArray = Float32Array | Float64Array

/** Largest input or hidden size accepted, so a bad argument cannot allocate without bound. */
export const GRU_SIZE_MAX = 1024

/**
 * The weights of a one-layer GRU followed by a linear head, in the layout of ONNX's `GRU` operator.
 *
 * Every gate block is stacked in ONNX's gate order **z, r, h** (update gate, reset gate, candidate state), not
 * PyTorch's r, z, n. Matrices are row-major: row `g·H + i` of `W` is the input weights of unit `i` of gate `g`.
 * With `linear_before_reset = 1` (the PyTorch convention) one step is
 *
 * ```
 * z  = σ(W_z x + Wb_z + R_z h + Rb_z)
 * r  = σ(W_r x + Wb_r + R_r h + Rb_r)
 * h̃  = tanh(W_h x + Wb_h + r ⊙ (R_h h + Rb_h))
 * h' = (1 − z) ⊙ h̃ + z ⊙ h
 * ```
 *
 * and the prediction is `headW · h_T + headB` on the hidden state after the last step (h₀ = 0).
 */
export interface GruWeights {
  /** F: features per time step. */
  readonly inputSize: number
  /** H: hidden units. */
  readonly hiddenSize: number
  /** Input weights, 3H × F, gates z, r, h. */
  readonly W: GruArray
  /** Recurrent weights, 3H × H, gates z, r, h. */
  readonly R: GruArray
  /** Input biases, 3H, gates z, r, h. */
  readonly Wb: GruArray
  /** Recurrent biases, 3H, gates z, r, h (`Rb_h` sits inside the reset product). */
  readonly Rb: GruArray
  /** Head weights on the last hidden state, H. */
  readonly headW: GruArray
  /** Head bias. */
  readonly headB: number
}

/** Options of {@link initGruWeights}. */
export interface GruInit {
  /** F: features per time step (1..{@link GRU_SIZE_MAX}). */
  inputSize: number
  /** H: hidden units (1..{@link GRU_SIZE_MAX}). */
  hiddenSize: number
  /** Seed of the initialisation; the same seed gives the same weights on every platform. */
  seed: number
}

/**
 * The activations of one GRU step, kept by the trainer for backpropagation. All arrays have length H.
 */
export interface GruStepState {
  /** Update gate z. */
  z: Float64Array
  /** Reset gate r. */
  r: Float64Array
  /** Candidate state h̃. */
  n: Float64Array
  /** `R_h h + Rb_h`, the recurrent part of the candidate before the reset gate scales it. */
  q: Float64Array
  /** The new hidden state h'. */
  h: Float64Array
}

/** Returns `value`, or throws {@link InvalidArgumentError} unless it is an integer in 1..{@link GRU_SIZE_MAX}. */
export function gruSize(argument: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > GRU_SIZE_MAX)
    throw new InvalidArgumentError(argument, `must be an integer in 1..${GRU_SIZE_MAX}, got ${String(value)}`)
  return value
}

/**
 * Fresh weights, uniform in ±1/√H like PyTorch's `nn.GRU` and `nn.Linear`; the head bias starts at 0 because
 * targets are normalised to mean 0. Deterministic in `seed`.
 */
export function initGruWeights(init: GruInit): GruWeights {
  const inputSize = gruSize('inputSize', init.inputSize)
  const hiddenSize = gruSize('hiddenSize', init.hiddenSize)
  if (!Number.isFinite(init.seed)) throw new InvalidArgumentError('seed', `must be finite, got ${init.seed}`)
  const random = seededRandom(init.seed)
  const bound = 1 / Math.sqrt(hiddenSize)
  const uniform = (length: number): Float32Array => {
    const values = new Float32Array(length)
    for (let i = 0; i < length; i++) values[i] = (random.next() * 2 - 1) * bound
    return values
  }
  const gates = 3 * hiddenSize
  return {
    inputSize,
    hiddenSize,
    W: uniform(gates * inputSize),
    R: uniform(gates * hiddenSize),
    Wb: uniform(gates),
    Rb: uniform(gates),
    headW: uniform(hiddenSize),
    headB: 0,
  }
}

/**
 * Checks that every array of `weights` has the length its sizes imply and holds finite numbers. Throws
 * {@link InvalidArgumentError} naming the first bad field.
 */
export function assertValidGruWeights(weights: GruWeights, argument = 'weights'): void {
  const inputSize = gruSize(`${argument}.inputSize`, weights.inputSize)
  const hiddenSize = gruSize(`${argument}.hiddenSize`, weights.hiddenSize)
  const gates = 3 * hiddenSize
  const expected: [keyof GruWeights, number][] = [
    ['W', gates * inputSize],
    ['R', gates * hiddenSize],
    ['Wb', gates],
    ['Rb', gates],
    ['headW', hiddenSize],
  ]
  for (const [field, length] of expected) {
    const values = weights[field]
    if (!(values instanceof Float32Array || values instanceof Float64Array) || values.length !== length)
      throw new InvalidArgumentError(`${argument}.${field}`, `must be a float array of length ${length}`)
    for (const value of values)
      if (!Number.isFinite(value))
        throw new InvalidArgumentError(`${argument}.${field}`, 'holds a non-finite value')
  }
  if (typeof weights.headB !== 'number' || !Number.isFinite(weights.headB))
    throw new InvalidArgumentError(`${argument}.headB`, `must be finite, got ${String(weights.headB)}`)
}

/**
 * Checks that `sequence` is a non-empty list of time steps of `inputSize` features each. Non-finite features are
 * rejected too: one NaN would silently turn every later step, and the forecast, into NaN.
 */
export function assertValidSequence(
  sequence: readonly ArrayLike<number>[],
  inputSize: number,
  argument: string,
): void {
  if (!Array.isArray(sequence) || sequence.length === 0)
    throw new InvalidArgumentError(argument, 'must be a non-empty array of time steps')
  for (let t = 0; t < sequence.length; t++) {
    const step = sequence[t]!
    if (step === null || typeof step !== 'object' || step.length !== inputSize)
      throw new InvalidArgumentError(`${argument}[${t}]`, `must hold ${inputSize} features`)
    for (let f = 0; f < inputSize; f++)
      if (!Number.isFinite(step[f]))
        throw new InvalidArgumentError(`${argument}[${t}][${f}]`, 'must be finite')
  }
}

/** Creates the per-step buffers {@link gruStep} writes into, for hidden size `hiddenSize`. */
export function createGruStepState(hiddenSize: number): GruStepState {
  return {
    z: new Float64Array(hiddenSize),
    r: new Float64Array(hiddenSize),
    n: new Float64Array(hiddenSize),
    q: new Float64Array(hiddenSize),
    h: new Float64Array(hiddenSize),
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

/**
 * One GRU step (see {@link GruWeights} for the equations) from input `x` and previous hidden state `hPrev`,
 * written into `out`. Unchecked: callers validate shapes once, not per step. This is the only implementation
 * of the cell; the forward pass and the trainer both call it, so they cannot drift apart.
 */
export function gruStep(
  weights: GruWeights,
  x: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  out: GruStepState,
): void {
  const { inputSize: F, hiddenSize: H, W, R, Wb, Rb } = weights
  for (let i = 0; i < H; i++) {
    const rowZ = i
    const rowR = H + i
    const rowH = 2 * H + i
    let az = Wb[rowZ]! + Rb[rowZ]!
    let ar = Wb[rowR]! + Rb[rowR]!
    let ax = Wb[rowH]!
    let q = Rb[rowH]!
    for (let f = 0; f < F; f++) {
      const xf = x[f]!
      az += W[rowZ * F + f]! * xf
      ar += W[rowR * F + f]! * xf
      ax += W[rowH * F + f]! * xf
    }
    for (let j = 0; j < H; j++) {
      const hj = hPrev[j]!
      az += R[rowZ * H + j]! * hj
      ar += R[rowR * H + j]! * hj
      q += R[rowH * H + j]! * hj
    }
    const z = sigmoid(az)
    const r = sigmoid(ar)
    const n = Math.tanh(ax + r * q)
    out.z[i] = z
    out.r[i] = r
    out.n[i] = n
    out.q[i] = q
    out.h[i] = (1 - z) * n + z * hPrev[i]!
  }
}

/** The head on a hidden state: `headW · h + headB`. */
export function gruHead(weights: GruWeights, h: ArrayLike<number>): number {
  let y = weights.headB
  for (let i = 0; i < weights.hiddenSize; i++) y += weights.headW[i]! * h[i]!
  return y
}

/**
 * The reference forward pass: runs the GRU over `sequence` (T steps of F features, oldest first) from a zero
 * hidden state and returns the head's output on the last hidden state. Computes in float64; the ONNX export
 * computes the same function in float32.
 *
 * @throws InvalidArgumentError when a step does not hold `inputSize` finite features
 */
export function forwardGru(weights: GruWeights, sequence: readonly ArrayLike<number>[]): number {
  assertValidSequence(sequence, weights.inputSize, 'sequence')
  const H = weights.hiddenSize
  let state = createGruStepState(H)
  let spare = createGruStepState(H)
  let h: Float64Array = new Float64Array(H)
  for (const step of sequence) {
    gruStep(weights, step, h, state)
    h = state.h
    // Two buffers in turn: the step reads hPrev while writing the new state, so they must differ.
    ;[state, spare] = [spare, state]
  }
  return gruHead(weights, h)
}

/** A float32 copy of `weights`: what the ONNX file stores and what the trainer returns. */
export function toFloat32Weights(weights: GruWeights): GruWeights {
  return {
    inputSize: weights.inputSize,
    hiddenSize: weights.hiddenSize,
    W: Float32Array.from(weights.W),
    R: Float32Array.from(weights.R),
    Wb: Float32Array.from(weights.Wb),
    Rb: Float32Array.from(weights.Rb),
    headW: Float32Array.from(weights.headW),
    headB: Math.fround(weights.headB),
  }
}
