import { parseArgs } from './args.js'
import { runExample } from './example.js'

// Usage: node dist/main.js [--keep]. Exit code 0 when the cluster formed, was used and stopped cleanly, 1 when
// something failed (the servers are stopped either way), 2 on a bad command line.
const args = parseArgs(process.argv.slice(2))
if ('error' in args) {
  console.error(`${args.error}\nusage: node dist/main.js [--keep]`)
  process.exitCode = 2
} else {
  process.exitCode = await runExample({ keep: args.keep })
}
