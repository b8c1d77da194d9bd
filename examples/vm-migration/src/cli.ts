import { parseArgs } from './args.js'
import { type DemoReport, runDemo } from './demo.js'
import type { ProgressOutput } from './progress.js'

const USAGE =
  'usage: vm-migration [--size <MiB>] [--dirty <percent per second>] [--codec node|raw] [--serve] [--port <n>]'

/** Where the command writes, and how `--serve` waits; the defaults are the process's. */
export interface CliIo {
  print?: (line: string) => void
  error?: (line: string) => void
  progress?: ProgressOutput | false
  untilStopped?: () => Promise<void>
  /** Receives the report (for tests). */
  onReport?: (report: DemoReport) => void
}

/** Runs the demo for a command line; resolves with the process exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const error = io.error ?? ((line: string) => console.error(line))
  const parsed = parseArgs(argv)
  if ('error' in parsed) {
    error(`${parsed.error}\n${USAGE}`)
    return 2
  }
  const untilStopped =
    io.untilStopped ?? (() => new Promise<void>((resolve) => process.once('SIGINT', () => resolve())))
  try {
    const report = await runDemo({
      sizeMiB: parsed.sizeMiB,
      dirtyPercentPerSecond: parsed.dirtyPercentPerSecond,
      codec: parsed.codec,
      ...(io.print ? { print: io.print } : {}),
      ...(io.progress !== undefined ? { progress: io.progress } : {}),
      ...(parsed.serve ? { serve: { port: parsed.port, untilStopped } } : {}),
    })
    io.onReport?.(report)
    return report.exitCode
  } catch (e) {
    error(`migration failed: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
}
