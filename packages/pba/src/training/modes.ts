import type { GruLossKind } from '../model/loss.js'

/** The two path classes a model ships for (DESIGN.md §1). */
export type ModelMode = 'datacenter' | 'internet'

/** Every {@link ModelMode}, in a stable order. */
export const MODEL_MODES: readonly ModelMode[] = ['datacenter', 'internet']

/** How the model of one mode is shaped and trained from throughput traces. */
export interface ModeTrainingConfig {
  /** Steps of history the model reads (DESIGN.md §1: 10 for datacenter, 60 for internet). */
  historySteps: number
  /** GRU hidden units: small, so that one forecast costs well under a millisecond. */
  hiddenSize: number
  /** Training windows drawn from the training traces. */
  examplesMax: number
  /** Passes over the drawn windows, at most (training stops early when validation stops improving). */
  epochs: number
  /** Adam step size. */
  learningRate: number
  /** Training loss on the normalised log throughput. */
  loss: GruLossKind
  /** Where the Huber loss turns linear, in normalised units (used with `loss: 'huber'`). */
  huberDelta: number
  /**
   * Per-window throughput factor range (log-uniform). The traces are 0.1–9 Mbit/s links; internet paths span
   * 1 Mbit/s – 1 Gbit/s, and datacenter paths run at 10 Gbit/s and more, of which no trace exists here.
   */
  scaleRange: readonly [number, number]
  /**
   * Fixed factor the held-out traces are replayed at when a model of this mode is judged (validation, bench),
   * so that the model sees rates of its own class.
   */
  evaluationScale: number
}

/** Training configuration of each mode's default model. */
export const MODE_TRAINING: Readonly<Record<ModelMode, ModeTrainingConfig>> = {
  internet: {
    historySteps: 60,
    hiddenSize: 24,
    examplesMax: 20_000,
    epochs: 10,
    learningRate: 0.003,
    // Nearly absolute error on the change: the median change, as MAPE rewards, not the mean a few collapses
    // of a 3G link would drag down.
    loss: 'huber',
    huberDelta: 0.1,
    scaleRange: [0.5, 50],
    evaluationScale: 1,
  },
  datacenter: {
    historySteps: 10,
    hiddenSize: 16,
    examplesMax: 30_000,
    epochs: 10,
    learningRate: 0.003,
    loss: 'huber',
    huberDelta: 0.1,
    // Mean trace rates of 0.2–3 Mbit/s land at roughly 1–100 Gbit/s.
    scaleRange: [5e3, 3e4],
    evaluationScale: 1e4,
  },
}

/** Whether `value` names a {@link ModelMode}. */
export function isModelMode(value: unknown): value is ModelMode {
  return value === 'datacenter' || value === 'internet'
}
