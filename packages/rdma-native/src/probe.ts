/**
 * Loads a binary in a child process first, so that a binary that crashes (or hangs) on load takes down only
 * the child, never the host.
 */
import { spawnSync } from 'node:child_process'
import { REQUIRED_EXPORTS } from './binding.js'

/** What the probe learned: either the binary loads and exposes the required surface, or why it does not. */
export type ProbeResult = { ok: true } | { ok: false; reason: string }

/** Script run with `node -e`: loads `argv[1]`, checks the exports, prints one JSON line. */
const PROBE_SCRIPT = `
const required = ${JSON.stringify(REQUIRED_EXPORTS)}
let result
try {
  const binding = require(process.argv[1])
  const missing = required.filter((name) => typeof binding[name] !== 'function')
  result = missing.length === 0
    ? { ok: true }
    : { ok: false, reason: 'the binary does not export ' + missing.join(', ') }
} catch (err) {
  result = { ok: false, reason: String(err && err.message ? err.message : err) }
}
process.stdout.write(JSON.stringify(result) + '\\n')
`

/** Largest probe output kept, in bytes: one JSON line with a dlopen message fits many times over. */
const PROBE_OUTPUT_MAX_BYTES = 64 * 1024

/**
 * Loads `bindingPath` in a child Node process and reports whether it loaded. Blocks for the child's lifetime
 * (one Node start-up plus the load), at most `timeoutMs`.
 */
export function probeBinary(bindingPath: string, timeoutMs: number): ProbeResult {
  const child = spawnSync(process.execPath, ['-e', PROBE_SCRIPT, bindingPath], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: PROBE_OUTPUT_MAX_BYTES,
    windowsHide: true,
  })
  if (child.error !== undefined) {
    const code = (child.error as NodeJS.ErrnoException).code
    if (code === 'ETIMEDOUT') return { ok: false, reason: `the probe did not finish within ${timeoutMs} ms` }
    return { ok: false, reason: `the probe process could not run: ${child.error.message}` }
  }
  if (child.signal !== null) {
    return { ok: false, reason: `the probe process was killed by ${child.signal} while loading the binary` }
  }
  const line = child.stdout.trim().split('\n').pop() ?? ''
  try {
    const result = JSON.parse(line) as ProbeResult
    if (result.ok === true || typeof result.reason === 'string') return result
  } catch {
    // Not a result line: reported below with the exit status and stderr.
  }
  const stderr = child.stderr.trim().slice(-500)
  return {
    ok: false,
    reason: `the probe process exited with status ${child.status}${stderr ? `: ${stderr}` : ''}`,
  }
}
