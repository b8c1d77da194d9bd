/** The example's command line. */
export interface ExampleArgs {
  /** `--keep`: leave the servers running after the report, until Ctrl-C. */
  keep: boolean
}

/** Parses `[--keep]`; anything else is an error to print with the usage. */
export function parseArgs(argv: readonly string[]): ExampleArgs | { error: string } {
  let keep = false
  for (const arg of argv) {
    if (arg === '--keep') keep = true
    else return { error: `unknown argument: ${arg}` }
  }
  return { keep }
}
