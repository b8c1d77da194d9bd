import { InvalidArgumentError } from '@dwcp/core'

/** The training losses {@link lossFunction} knows. */
export type GruLossKind = 'mse' | 'huber'

/** A per-sample loss of one prediction against its target, and its derivative in the prediction. */
export interface LossFunction {
  /** Which loss this is. */
  readonly kind: GruLossKind
  /** The loss of one sample. */
  value(prediction: number, target: number): number
  /** ∂ value / ∂ prediction. */
  derivative(prediction: number, target: number): number
}

/**
 * The loss of one sample, averaged over a batch by the trainer:
 *
 * - `mse`: `e²` with `e = prediction − target`, so the batch mean is the mean squared error.
 * - `huber`: `½e²` while `|e| ≤ delta`, else `delta·(|e| − ½delta)` (PyTorch's `HuberLoss`): quadratic near the
 *   target and linear beyond, so a few outliers (a throughput trace dropping to zero for a second) pull the
 *   fit less than under MSE. Its gradient is `e` clamped to ±delta.
 *
 * @param huberDelta - where Huber turns linear, in units of the normalised target; must be > 0
 */
export function lossFunction(kind: GruLossKind, huberDelta = 1): LossFunction {
  if (kind === 'mse')
    return {
      kind,
      value: (prediction, target) => (prediction - target) ** 2,
      derivative: (prediction, target) => 2 * (prediction - target),
    }
  if (kind === 'huber') {
    if (!(typeof huberDelta === 'number' && huberDelta > 0 && Number.isFinite(huberDelta)))
      throw new InvalidArgumentError('huberDelta', `must be a finite number > 0, got ${String(huberDelta)}`)
    const delta = huberDelta
    return {
      kind,
      value(prediction, target) {
        const e = Math.abs(prediction - target)
        return e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta)
      },
      derivative: (prediction, target) => Math.min(delta, Math.max(-delta, prediction - target)),
    }
  }
  throw new InvalidArgumentError('loss', `must be 'mse' or 'huber', got ${String(kind)}`)
}
