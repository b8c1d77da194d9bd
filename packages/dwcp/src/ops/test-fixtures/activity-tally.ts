/** How often one kind of work succeeded and failed, with the latest failure. */
export interface WorkTally {
  ok: number
  failed: number
  lastError?: string
}

/**
 * What the ops fixture's real work did, per kind (`transfer`, `migration`, ...). The work runs in the
 * background while Prometheus scrapes; when a series is missing, the test prints this so the failure says
 * whether the work never happened or happened and recorded nothing.
 */
export class ActivityTally {
  readonly #kinds = new Map<string, WorkTally>()

  /** Runs `work`, counting it as `kind`; a failure is counted and swallowed (the next round tries again). */
  async run<T>(kind: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work()
      this.#of(kind).ok++
      return result
    } catch (error) {
      this.fail(kind, error)
      return undefined
    }
  }

  /** Counts one failure of `kind`. */
  fail(kind: string, error: unknown): void {
    const tally = this.#of(kind)
    tally.failed++
    tally.lastError = error instanceof Error ? error.message : String(error)
  }

  /** Successes of `kind` so far. */
  ok(kind: string): number {
    return this.#kinds.get(kind)?.ok ?? 0
  }

  /** One line per kind, for assertion messages. */
  summary(): string {
    return [...this.#kinds]
      .map(([kind, t]) => `${kind}: ${t.ok} ok, ${t.failed} failed${t.lastError ? ` (${t.lastError})` : ''}`)
      .join('; ')
  }

  #of(kind: string): WorkTally {
    let tally = this.#kinds.get(kind)
    if (!tally) {
      tally = { ok: 0, failed: 0 }
      this.#kinds.set(kind, tally)
    }
    return tally
  }
}
