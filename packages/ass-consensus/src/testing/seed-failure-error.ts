/**
 * A seeded scenario failed. The message names the seed and the command that repeats exactly that run; the
 * scenario's own error is the `cause`. A plain `Error` subclass: a failing test is not an operational
 * condition of the library, so it carries no `DWCP_ERR_*` code.
 */
export class SeedFailureError extends Error {
  /** The seed the scenario failed with. */
  readonly seed: number
  /** The shell command that runs the failing test with only this seed. */
  readonly command: string

  constructor(seed: number, command: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`seed ${seed} failed: ${reason}\nrepeat with: ${command}`, { cause })
    this.name = 'SeedFailureError'
    this.seed = seed
    this.command = command
  }
}
