// Process management shared by the benchmarks that run cluster members as separate processes (`pnpm bench
// raft`, `pnpm bench pbft`): a member is `node [flags] <script> '<JSON config>'`, prints one JSON line per event
// on stdout ({"event":"ready"} once it serves), and stops on SIGTERM.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** Every member process started, so that none outlives the benchmark however it ends. */
export const memberChildren = new Set()

/** SIGKILLs every member process still running (for the benchmark's exit handler). */
export function killAllMembers() {
  for (const child of memberChildren)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/**
 * Starts `member` (`{ id, … }`; this sets `child` and `tail`, the last 4,000 characters of its stderr) as
 * `node [flags] script '<config>'`. Resolves once it prints {"event":"ready"}; `onEvent` hears every other
 * JSON line. Rejects, with its stderr, when it exits first or does not serve within `startupTimeoutMs`.
 *
 * @param {{ id: string, child?: import('node:child_process').ChildProcess, tail?: string }} member
 * @param {string} script
 * @param {unknown} config
 * @param {{ flags?: string[], onEvent?: (event: any) => void, startupTimeoutMs: number }} options
 * @returns {Promise<void>}
 */
export function spawnMember(member, script, config, { flags = [], onEvent, startupTimeoutMs }) {
  const child = spawn(process.execPath, [...flags, script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  memberChildren.add(child)
  child.once('exit', () => memberChildren.delete(child))
  member.child = child
  member.tail = ''
  child.stderr.on('data', (chunk) => {
    member.tail = (member.tail + chunk.toString()).slice(-4000)
  })
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`member ${member.id} did not serve within ${startupTimeoutMs} ms`)),
      startupTimeoutMs,
    )
    let buffered = ''
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString()
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        let event
        try {
          event = JSON.parse(line)
        } catch {
          continue
        }
        if (event.event === 'ready') {
          clearTimeout(timer)
          resolveReady()
        } else onEvent?.(event)
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(
        new Error(`member ${member.id} exited (${signal ?? code}) before serving: ${member.tail.trim()}`),
      )
    })
  })
}

/** Whether the member's process is running. */
export const isRunning = (member) =>
  Boolean(member.child) && member.child.exitCode === null && member.child.signalCode === null

/** SIGKILLs the member and resolves once its process is gone. */
export async function killMember(member) {
  if (!isRunning(member)) return
  const gone = new Promise((resolveExit) => member.child.once('exit', resolveExit))
  member.child.kill('SIGKILL')
  await gone
}

/** Stops every running member: SIGTERM, then SIGKILL after `graceMs`; resolves once all are gone. */
export async function stopMembers(members, graceMs) {
  await Promise.all(
    members.map(async (member) => {
      if (!isRunning(member)) return
      const gone = new Promise((resolveExit) => member.child.once('exit', resolveExit))
      member.child.kill('SIGTERM')
      const timer = setTimeout(() => member.child.kill('SIGKILL'), graceMs)
      await gone
      clearTimeout(timer)
    }),
  )
}

/** A free TCP port on loopback, picked by the OS. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}
