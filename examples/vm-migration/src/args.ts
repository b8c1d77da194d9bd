/** The demo's command line. */
export interface DemoArgs {
  sizeMiB: number
  dirtyPercentPerSecond: number
  serve: boolean
  port: number
}

/** Parses `--size <MiB>`, `--dirty <percent>`, `--serve`, `--port <n>`; anything else is an error. */
export function parseArgs(argv: readonly string[]): DemoArgs | { error: string } {
  const args: DemoArgs = { sizeMiB: 1024, dirtyPercentPerSecond: 2, serve: false, port: 8080 }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--serve') {
      args.serve = true
      continue
    }
    const value = Number(argv[i + 1])
    i++
    if (flag === '--size' && Number.isInteger(value) && value >= 1 && value <= 65536) args.sizeMiB = value
    else if (flag === '--dirty' && value >= 0 && value <= 100) args.dirtyPercentPerSecond = value
    else if (flag === '--port' && Number.isInteger(value) && value > 0 && value < 65536) args.port = value
    else return { error: `bad argument: ${flag} ${argv[i] ?? ''}`.trim() }
  }
  return args
}
