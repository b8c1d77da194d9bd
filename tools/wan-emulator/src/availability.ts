import { constants } from 'node:fs'
import { access, chmod, mkdir, open } from 'node:fs/promises'
import { findExecutable, runCommand } from './commands.js'

/** Whether the emulator can run here, and if not, why. */
export interface WanAvailability {
  available: boolean
  /** What is missing (or, when available, what was checked). */
  reason: string
}

/** Path of the TUN clone device. */
export const TUN_DEVICE = '/dev/net/tun'

/** Whether this process runs as root (needed for namespaces and TUN devices). */
export function isRoot(): boolean {
  return process.getuid?.() === 0
}

/**
 * Creates `/dev/net/tun` (character device 10:200) when it is missing and this process is root, as minimal
 * container images often lack it although the kernel has TUN support.
 */
export async function ensureTunDevice(): Promise<void> {
  try {
    await access(TUN_DEVICE, constants.F_OK)
    return
  } catch {
    if (!isRoot()) return
  }
  await mkdir('/dev/net', { recursive: true })
  const result = await runCommand('mknod', [TUN_DEVICE, 'c', '10', '200'])
  if (result.code === 0) await chmod(TUN_DEVICE, 0o666)
}

async function probeTun(): Promise<string | undefined> {
  try {
    const handle = await open(TUN_DEVICE, 'r+')
    await handle.close()
    return undefined
  } catch (error) {
    return `${TUN_DEVICE} cannot be opened (${(error as Error).message})`
  }
}

async function probeNetns(): Promise<string | undefined> {
  const name = `dwcp-probe-${process.pid}`
  const added = await runCommand('ip', ['netns', 'add', name])
  if (added.code !== 0) return `'ip netns add' fails: ${added.stderr.trim()}`
  await runCommand('ip', ['netns', 'del', name])
  return undefined
}

async function check(compiler: string): Promise<WanAvailability> {
  if (process.platform !== 'linux')
    return { available: false, reason: `needs Linux, this is ${process.platform}` }
  if (!isRoot()) return { available: false, reason: 'needs root (network namespaces and TUN devices)' }
  if (findExecutable('ip') === undefined)
    return { available: false, reason: "needs 'ip' (apt-get install iproute2)" }
  if (!compiler.includes('/') && findExecutable(compiler) === undefined) {
    return {
      available: false,
      reason: `needs a C compiler '${compiler}' for the delay line (apt-get install gcc)`,
    }
  }
  await ensureTunDevice()
  const tunProblem = await probeTun()
  if (tunProblem !== undefined) return { available: false, reason: tunProblem }
  const netnsProblem = await probeNetns()
  if (netnsProblem !== undefined) return { available: false, reason: netnsProblem }
  return { available: true, reason: `root, ${TUN_DEVICE}, ip netns and ${compiler} are usable` }
}

const cache = new Map<string, Promise<WanAvailability>>()

/**
 * Checks, once per process, what the emulator needs: Linux, root, `ip` with working `ip netns`, a usable
 * `/dev/net/tun` (created with mknod when missing) and a C compiler for the delay line. Never throws.
 *
 * @param compiler - C compiler command; default `process.env.CC`, else `cc`
 */
export function wanEmulatorAvailable(compiler = process.env.CC ?? 'cc'): Promise<WanAvailability> {
  let result = cache.get(compiler)
  if (result === undefined) {
    result = check(compiler).catch((error: unknown) => ({
      available: false,
      reason: `availability check failed: ${(error as Error).message}`,
    }))
    cache.set(compiler, result)
  }
  return result
}
