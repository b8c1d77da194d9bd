import type { FeatureSeries } from '../training/dataset.js'
import { windowSize } from '../validation.js'

/**
 * The most recent raw feature rows a predictor took, oldest dropping out first: the model's input window is
 * its tail, and `retrain()` refits on all of it. Memory is fixed by the capacity.
 */
export class SampleLog {
  readonly #rows: Array<Float64Array | undefined>
  readonly #measured: boolean[]
  #next = 0
  #size = 0

  /** @param capacity - rows kept, 1..100 000 */
  constructor(capacity: number) {
    const size = windowSize('collectSamplesMax', capacity)
    this.#rows = new Array<Float64Array | undefined>(size).fill(undefined)
    this.#measured = new Array<boolean>(size).fill(false)
  }

  /** Rows kept. */
  get size(): number {
    return this.#size
  }

  /** Rows measured (with a throughput observed) among those kept. */
  get measuredCount(): number {
    let count = 0
    for (let i = 0; i < this.#size; i++) if (this.#measured[this.#index(i)]) count++
    return count
  }

  /** Appends one row; `measured` says whether its throughput was observed rather than carried on. */
  push(row: Float64Array, measured: boolean): void {
    this.#rows[this.#next] = row
    this.#measured[this.#next] = measured
    this.#next = (this.#next + 1) % this.#rows.length
    this.#size = Math.min(this.#size + 1, this.#rows.length)
  }

  /** The last `count` rows, oldest first, or undefined while fewer are kept. */
  tail(count: number): Float64Array[] | undefined {
    if (count > this.#size) return undefined
    const rows: Float64Array[] = []
    for (let i = this.#size - count; i < this.#size; i++) rows.push(this.#rows[this.#index(i)]!)
    return rows
  }

  /** Every row kept, oldest first, as one series for the dataset builder. */
  toSeries(): FeatureSeries {
    const rows: Float64Array[] = []
    const measured: boolean[] = []
    for (let i = 0; i < this.#size; i++) {
      rows.push(this.#rows[this.#index(i)]!)
      measured.push(this.#measured[this.#index(i)]!)
    }
    return { rows, measured }
  }

  /** Storage index of the i-th oldest row kept. */
  #index(i: number): number {
    const capacity = this.#rows.length
    return (this.#next - this.#size + i + capacity) % capacity
  }
}
