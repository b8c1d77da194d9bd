import { randomBytes } from 'node:crypto'
import { runChecked, runCommand } from './commands.js'

/** Names of emulator namespaces: `dwcp-a-<owner pid>-<random hex>`, the pid lets a later run spot orphans. */
const NAME_PATTERN = /^dwcp-[ab]-(\d+)-[0-9a-f]+$/

/** A fresh pair of namespace names owned by this process. */
export function newNamespaceNames(): { nsA: string; nsB: string } {
  const suffix = randomBytes(3).toString('hex')
  return { nsA: `dwcp-a-${process.pid}-${suffix}`, nsB: `dwcp-b-${process.pid}-${suffix}` }
}

/** Names of all named network namespaces (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const stdout = await runChecked('ip', ['netns', 'list'])
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' ')[0] ?? '')
    .filter((name) => name !== '')
}

/** Creates a named network namespace. */
export async function addNamespace(name: string): Promise<void> {
  await runChecked('ip', ['netns', 'add', name])
}

/** Deletes a named network namespace (and every device in it); a missing one is not an error. */
export async function deleteNamespace(name: string): Promise<void> {
  const result = await runCommand('ip', ['netns', 'del', name])
  if (result.code !== 0 && !/No such file|not found|Invalid argument/i.test(result.stderr)) {
    throw new Error(`ip netns del ${name} exited with ${result.code}: ${result.stderr.trim()}`)
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Deletes emulator namespaces whose owner process is gone (left by a run that was killed before `stop()`).
 * Only names of the emulator's own pattern are touched. Returns the names deleted.
 */
export async function removeStaleNamespaces(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((name) => {
    const owner = NAME_PATTERN.exec(name)?.[1]
    return owner !== undefined && Number(owner) !== process.pid && !processAlive(Number(owner))
  })
  for (const name of stale) await deleteNamespace(name)
  return stale
}

/** Runs `ip -n NS ARGS...`. */
export async function ipIn(ns: string, args: readonly string[]): Promise<string> {
  return runChecked('ip', ['-n', ns, ...args])
}

const SYSCTL_SCRIPT = 'while [ "$#" -ge 2 ]; do printf "%s\\n" "$2" > "/proc/sys/$1" || exit 1; shift 2; done'

/**
 * Writes sysctls (`net/ipv4/tcp_rmem` style keys under /proc/sys) inside a namespace. Network sysctls are
 * per namespace, so the host keeps its own values.
 */
export async function writeSysctls(
  ns: string,
  entries: ReadonlyArray<readonly [string, string]>,
): Promise<void> {
  const args = entries.flat()
  await runChecked('ip', ['netns', 'exec', ns, 'sh', '-c', SYSCTL_SCRIPT, 'sh', ...args])
}
