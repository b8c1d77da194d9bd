// Builds build/Release/dwcp_rdma.node with cmake-js, offline (N-API headers come from node-api-headers).
// A build that cannot happen (no compiler, no libucx/libibverbs headers) is reported and tolerated, so the
// rest of DWCP keeps working and the loader says why the addon is unavailable — unless DWCP_REQUIRE_NATIVE=1,
// which CI sets so that a broken native build fails loudly instead of skipping the native tests.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const required = process.env.DWCP_REQUIRE_NATIVE === '1'
const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js')
const result = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build', '--parallel', '2'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
})
if (result.status === 0) {
  console.log('dwcp_rdma: native addon built (build/Release/dwcp_rdma.node)')
} else {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
  const reason = output.match(/dwcp_rdma needs[^\n]*/)?.[0] ?? output.trim().split('\n').slice(-15).join('\n')
  console.warn(
    `dwcp_rdma: native addon not built; RDMA/UCX and socket options will be unavailable.\n${reason}`,
  )
  if (required) process.exit(1)
}
