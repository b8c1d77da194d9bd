/** The demo's command line. */
export interface DemoArgs {
  sizeMiB: number
  dirtyPercentPerSecond: number
  serve: boolean
  port: number
  /** `node`: the node's codec (zero chunks, lz4); `raw`: every chunk as it is, for comparison. */
  codec: 'node' | 'raw'
}

/**
 * Parses `--size <MiB>`, `--dirty <percent>`, `--codec <node|raw>`, `--serve`, `--port <n>` (a bare `--` is
 * skipped); anything else is an error.
 */
export function parseArgs(argv: readonly string[]): DemoArgs | { error: string } {
  const args: DemoArgs = { sizeMiB: 1024, dirtyPercentPerSecond: 2, serve: false, port: 8080, codec: 'node' }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    // `pnpm demo -- --size 4096` hands the script the `--` too: it separates, and means nothing here.
    if (flag === '--') continue
    if (flag === '--serve') {
      args.serve = true
      continue
    }
    if (flag === '--codec' && (argv[i + 1] === 'node' || argv[i + 1] === 'raw')) {
      args.codec = argv[i + 1] as DemoArgs['codec']
      i++
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
