/** One forecast to compute: the model to run and the raw rows it reads. */
export interface InferenceJob<Model> {
  /** The model current when the job was made; a swap meanwhile makes its result stale. */
  model: Model
  /** Raw feature rows, oldest first. */
  rows: Float64Array[]
  /** Clock time (ms) of the observation the rows end with. */
  observedAtMs: number
}

/**
 * Runs forecasts one at a time. A job submitted while one runs waits in a single slot, and a newer job
 * replaces it there: when samples arrive faster than inference finishes, only the latest window matters, and
 * the work in flight stays bounded at one run plus one waiting job.
 */
export class InferenceQueue<Model> {
  readonly #run: (job: InferenceJob<Model>) => Promise<void>
  #waiting: InferenceJob<Model> | undefined
  #draining: Promise<void> | undefined

  /** @param run - computes one job; must not reject (it handles its own failures) */
  constructor(run: (job: InferenceJob<Model>) => Promise<void>) {
    this.#run = run
  }

  /** Queues `job`, replacing a job still waiting. */
  submit(job: InferenceJob<Model>): void {
    this.#waiting = job
    this.#draining ??= this.#drain()
  }

  /** Resolves once nothing runs or waits. */
  async settled(): Promise<void> {
    while (this.#draining) await this.#draining
  }

  async #drain(): Promise<void> {
    try {
      for (let job = this.#waiting; job; job = this.#waiting) {
        this.#waiting = undefined
        await this.#run(job)
      }
    } finally {
      this.#draining = undefined
    }
  }
}
