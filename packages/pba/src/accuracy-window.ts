import type { PredictorAccuracy } from '@dwcp/core'
import { windowSize } from './validation.js'

/**
 * The absolute percentage errors of the last `capacity` scored bandwidth forecasts, and their mean. Memory is
 * fixed at construction: the oldest error drops out when a new one arrives.
 *
 * @example
 * ```ts
 * import { AccuracyWindow } from '@dwcp/pba'
 *
 * const window = new AccuracyWindow(100)
 * window.record(1_100_000, 1_000_000) // 10 % off
 * window.snapshot() // { samples: 1, meanAbsolutePercentageError: 0.1, accuracy: 0.9 }
 * ```
 */
export class AccuracyWindow {
  readonly #errors: Float64Array
  #count = 0
  #next = 0
  #sum = 0

  /** @param capacity - number of most recent errors kept, 1..100 000 */
  constructor(capacity: number) {
    this.#errors = new Float64Array(windowSize('accuracyWindow', capacity))
  }

  /** Number of errors kept (at most the capacity). */
  get samples(): number {
    return this.#count
  }

  /**
   * Scores one forecast against what was observed. Returns false and records nothing when `observedBps` is 0:
   * a percentage error of a zero observation is undefined.
   */
  record(forecastBps: number, observedBps: number): boolean {
    if (observedBps === 0) return false
    const error = Math.abs(forecastBps - observedBps) / observedBps
    const capacity = this.#errors.length
    if (this.#count === capacity) this.#sum -= this.#errors[this.#next]!
    else this.#count++
    this.#errors[this.#next] = error
    this.#sum += error
    this.#next = (this.#next + 1) % capacity
    // Re-add from scratch once per lap so rounding in the running sum never accumulates.
    if (this.#next === 0) this.#sum = this.#errors.reduce((total, e) => total + e, 0)
    return true
  }

  /**
   * The mean absolute percentage error over the window and `max(0, 1 − MAPE)`. With nothing scored yet the MAPE
   * is `NaN` (undefined, not zero) and the accuracy 0.
   */
  snapshot(): PredictorAccuracy {
    if (this.#count === 0) return { samples: 0, meanAbsolutePercentageError: Number.NaN, accuracy: 0 }
    const meanAbsolutePercentageError = this.#sum / this.#count
    return {
      samples: this.#count,
      meanAbsolutePercentageError,
      accuracy: Math.max(0, 1 - meanAbsolutePercentageError),
    }
  }

  /** How much to trust the next forecast: `1 − MAPE` clamped to 0..1, and 0 before anything was scored. */
  confidence(): number {
    return this.snapshot().accuracy
  }
}
