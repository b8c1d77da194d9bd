// `pnpm --filter @dwcp/pba train -- --mode internet --seed 1`: trains the default model(s) on the shared trace
// set and writes models/<mode>.onnx, printing the validation MAPE. Runs the built package (dist/), so it
// builds first when dist/ is missing or older than the sources.
//
// Reproducible: the same seed gives bit-identical weights; set SOURCE_DATE_EPOCH (seconds) to also fix the
// creation time stored in the file, and the bytes are identical too.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const distEntry = join(packageDir, 'dist', 'index.js')

/** Newest modification time of any file under `directory`, in ms. */
function newestMs(directory) {
  let newest = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMs(path) : statSync(path).mtimeMs)
  }
  return newest
}

if (!existsSync(distEntry) || statSync(distEntry).mtimeMs < newestMs(join(packageDir, 'src'))) {
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}
const { parseTrainArgs, runTrainCommand, TRAIN_USAGE } = await import(pathToFileURL(distEntry).href)
if (typeof runTrainCommand !== 'function') {
  console.error(`${distEntry} does not export runTrainCommand: src/index.ts must re-export src/training/`)
  process.exit(1)
}

const sourceDateEpoch = process.env.SOURCE_DATE_EPOCH
const createdAt = new Date(sourceDateEpoch ? Number(sourceDateEpoch) * 1000 : Date.now()).toISOString()
// The traces ship with the package (traces/: FCC and Norway HSDPA, see traces/README.md for their sources).
const defaults = {
  tracesDirectory: process.env.DWCP_TRACES_DIR ?? resolve(packageDir, 'traces'),
  outDirectory: join(packageDir, 'models'),
  createdAt,
}
try {
  runTrainCommand(parseTrainArgs(process.argv.slice(2), defaults), (line) => console.log(line))
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  if (error?.code === 'DWCP_ERR_INVALID_ARGUMENT') console.error(TRAIN_USAGE)
  process.exit(1)
}
