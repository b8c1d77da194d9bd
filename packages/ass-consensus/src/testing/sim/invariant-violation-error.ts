/**
 * A safety property of a replicated log was broken. It is an assertion, not an operational condition, so it
 * carries no `DWCP_ERR_*` code: inside `runSeeds` it becomes the cause of a `SeedFailureError`.
 */
export class InvariantViolationError extends Error {
  /** Which property broke (`election safety`, `log matching`, `leader completeness`, `state-machine safety`). */
  readonly invariant: string

  constructor(invariant: string, detail: string) {
    super(`${invariant} violated: ${detail}`)
    this.name = 'InvariantViolationError'
    this.invariant = invariant
  }
}
