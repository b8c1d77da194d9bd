// Runs one benchmark: `pnpm bench <name>` runs bench/<name>.bench.mjs; `pnpm bench` lists them.
// Benchmarks are not tests: they measure, print a ratio to a reference measured in the same run, and write
// their results under bench/results/.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.slice(0, -'.bench.mjs'.length))
const [name, ...args] = process.argv.slice(2)
if (!name || !available.includes(name)) {
  console.error(`usage: pnpm bench <name> [args]\navailable: ${available.join(', ')}`)
  process.exit(name ? 2 : 0)
}
const build = spawnSync(
  'pnpm',
  [
    'turbo',
    'run',
    'build',
    '--output-logs=errors-only',
    '--filter=dwcp...',
    '--filter=@dwcp/rdma-native',
    '--filter=@dwcp/wan-emulator',
    '--filter=@dwcp/example-vm-migration',
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  },
)
if (build.status !== 0) process.exit(build.status ?? 1)
const run = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.bench.mjs`), ...args], {
  stdio: 'inherit',
})
process.exit(run.status ?? 1)
