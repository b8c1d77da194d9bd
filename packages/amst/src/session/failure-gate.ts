/**
 * Ends waits when an operation fails: `until(work)` settles with `work`, or rejects with the failure if that
 * comes first. Each wait is forgotten when its work settles. (A single promise that stays pending for the whole
 * operation, raced against every wait, would keep every value it was raced with reachable until the end: for a
 * transfer, every chunk it sent.)
 */
export class FailureGate {
  readonly #waiters = new Set<(error: Error) => void>()
  #failure: Error | undefined

  /** The failure, once {@link fail} was called. */
  get failure(): Error | undefined {
    return this.#failure
  }

  /** `work`, or the failure if that comes first. */
  until<T>(work: Promise<T>): Promise<T> {
    if (this.#failure) {
      work.catch(() => {})
      return Promise.reject(this.#failure)
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add(reject)
      work.then(
        (value) => {
          this.#waiters.delete(reject)
          resolve(value)
        },
        (error: unknown) => {
          this.#waiters.delete(reject)
          reject(error)
        },
      )
    })
  }

  /** Fails every wait now and every later one at once; the first failure stands. */
  fail(error: Error): void {
    if (this.#failure) return
    this.#failure = error
    for (const reject of this.#waiters) reject(error)
    this.#waiters.clear()
  }

  /** Waits in progress (for tests). */
  get waiting(): number {
    return this.#waiters.size
  }
}
