// Builds build/Release/dwcp_rdma.node with cmake-js, offline (N-API headers come from node-api-headers).
// A build that cannot happen (no cmake, no compiler, no libucx/libibverbs headers) is reported in one line and
// tolerated, so the rest of DWCP keeps working and the loader says the addon is unavailable — unless
// DWCP_REQUIRE_NATIVE=1, which CI sets so that a broken native build fails loudly instead of skipping the
// native tests. The one-line reason is also left in build/NOT_BUILT, where an installed copy can be asked why.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const required = process.env.DWCP_REQUIRE_NATIVE === '1'
const notBuiltPath = join(root, 'build', 'NOT_BUILT')
const DEPENDENCIES_HINT = 'install cmake, g++, libibverbs-dev and libucx-dev, then reinstall'

/**
 * cmake-js's command-line entry, found by Node's module resolution from this package: package managers hoist
 * it (npm and yarn to the app's node_modules, pnpm to a sibling in its store), so it is seldom under this
 * package's own node_modules.
 */
function cmakeJsBin() {
  const manifestPath = createRequire(import.meta.url).resolve('cmake-js/package.json')
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'))
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin['cmake-js'])
}

/** Why the build cannot start, or undefined when cmake and cmake-js are there. */
function missingTool() {
  const cmake = spawnSync('cmake', ['--version'], { stdio: 'ignore' })
  if (cmake.error)
    return `cmake is not on PATH (${cmake.error.code ?? cmake.error.message}): ${DEPENDENCIES_HINT}`
  try {
    cmakeJsBin()
  } catch (error) {
    return `cmake-js cannot be resolved from ${root}: ${String(error.message).split('\n')[0]}`
  }
  return undefined
}

/** One line out of a failed cmake-js run: our CMakeLists' own message, a missing compiler, or the last error. */
function failureReason(output) {
  const ours = output.match(/dwcp_rdma needs[^\n]*/)?.[0]
  if (ours) return ours
  if (/No CMAKE_CXX_COMPILER could be found|CMAKE_CXX_COMPILER not set/.test(output))
    return `no C++ compiler found: ${DEPENDENCIES_HINT}`
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  const error =
    lines.findLast((line) => /error/i.test(line)) ?? lines.at(-1) ?? 'cmake-js failed without output'
  return `cmake-js failed: ${error}`
}

function build() {
  const missing = missingTool()
  if (missing) return { ok: false, reason: missing }
  const result = spawnSync(process.execPath, [cmakeJsBin(), 'compile', '--out', 'build', '--parallel', '2'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  })
  if (result.status === 0) return { ok: true }
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`
  return { ok: false, reason: failureReason(output), output }
}

const outcome = build()
if (outcome.ok) {
  rmSync(notBuiltPath, { force: true })
  console.log('dwcp_rdma: native addon built (build/Release/dwcp_rdma.node)')
} else {
  mkdirSync(dirname(notBuiltPath), { recursive: true })
  writeFileSync(notBuiltPath, `${outcome.reason}\n`)
  console.warn(
    `dwcp_rdma: native addon not built (RDMA/UCX, socket options and hardware CRC unavailable): ${outcome.reason}`,
  )
  // The full output helps only whoever must make the build work; everyone else gets the one line.
  if (required && outcome.output) console.warn(outcome.output.trim().split('\n').slice(-30).join('\n'))
  if (required) process.exit(1)
}
