// `pnpm bench migrate-kill [runs]`: the SIGKILL test of a migration at its full count (100 runs by default; CI
// runs a few): in each run the source, the target or the leader of a 3-member Raft cluster of processes is
// SIGKILLed at a random point of a 2 MiB migration under a writer and restarted; every run must end with the
// placement naming one host that holds the whole image, no acknowledged write lost. Writes
// bench/results/migrate-kill.json with where each run ended, per role killed.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const runs = Number(process.argv[2] ?? 100)
const resultsDir = join(here, 'results')
mkdirSync(resultsDir, { recursive: true })
const report = join(resultsDir, 'migrate-kill.json')
const test = spawnSync('pnpm', ['vitest', 'run', 'packages/dwcp/src/migration/kill-processes.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, DWCP_KILL_RUNS: String(runs), DWCP_KILL_REPORT: report },
})
if (test.status !== 0) process.exit(test.status ?? 1)
const { outcomes, durationMs } = JSON.parse(readFileSync(report, 'utf8'))
console.log(
  `\n${runs} runs in ${(durationMs / 1000).toFixed(0)} s, all consistent; where the workload ended:`,
)
for (const [role, hosts] of Object.entries(outcomes))
  console.log(`  killed the ${role.padEnd(6)}: source kept it ${hosts.a ?? 0}, target has it ${hosts.b ?? 0}`)
console.log(`results: ${report}`)
