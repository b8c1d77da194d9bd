import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process'
import { AbortedError, ComponentAbsentError, InvalidArgumentError } from '@dwcp/core'
import { wanEmulatorAvailable } from './availability.js'
import { type CommandResult, runCommand } from './commands.js'
import { DelayLineProcess, type DelayLineStats } from './delay-line.js'
import { type DeviceCounters, deviceCounters } from './device-counters.js'
import {
  addNamespace,
  deleteNamespace,
  ipIn,
  newNamespaceNames,
  removeStaleNamespaces,
  writeSysctls,
} from './namespaces.js'
import { ensureDelayLine } from './native-build.js'
import { type CustomLink, type ProfileName, resolveLink, type WanProfile } from './profiles.js'

/**
 * Addresses used inside the emulator's namespaces (198.18.0.0/15 is reserved for benchmarks, RFC 2544).
 * `discardB` is routed from A across the path into B, where a blackhole route drops it on arrival: load sent
 * there crosses the emulated link and costs B nothing beyond the device's counters.
 */
export const EMULATOR_ADDRESSES = { a: '198.18.0.1', b: '198.18.0.2', discardB: '198.18.0.3' } as const

/** Name of the TUN device in both namespaces. */
export const EMULATOR_DEVICE = 'wan0'

/** Options of {@link createWanEmulator}. Give `profile` or `custom`. */
export interface WanEmulatorOptions {
  /** A built-in profile name or a full profile. @default 'lan' when `custom` is absent too */
  profile?: ProfileName | WanProfile
  /** Custom link values, used instead of `profile`. */
  custom?: CustomLink
  /** Seed of the delay line's loss and jitter draws. @default 1 */
  seed?: number
  /** Shape of the jitter. @default 'uniform' */
  jitterDistribution?: 'uniform' | 'normal'
  /** MTU of both TUN devices, 576..9000. @default 1500 */
  mtuBytes?: number
  /**
   * Raise `tcp_rmem`/`tcp_wmem` maxima to 64 MiB inside the namespaces so that one TCP flow can fill a long
   * fat path (the host keeps its values).
   * @default true
   */
  tuneTcpBuffers?: boolean
  /** Bytes the delay line may hold per direction. @default sized by the delay line from rate, delay and queue */
  bufferBytes?: number
  /** Nice value of the delay line (lower runs first; ignored where not permitted). @default -10 */
  niceValue?: number
  /** Directory caching the compiled delay line. @default `build/` in this package */
  buildDir?: string
  /** Cancels the setup; whatever was created is removed. */
  signal?: AbortSignal
}

/** A namespace of an emulator: `'a'`, `'b'`, or its full name. */
export type NamespaceRef = 'a' | 'b' | string

/** Delay-line counters plus the kernel counters of both TUN devices. */
export interface WanStats extends DelayLineStats {
  /** Kernel counters of the TUN device in each namespace (`txDropped`: packets the delay line missed). */
  devices: { a: DeviceCounters; b: DeviceCounters }
}

/** Two namespaces joined by an emulated WAN path; stop it with {@link WanEmulator.stop}. */
export interface WanEmulator {
  /** Name of namespace A (the side at {@link WanEmulator.addressA}). */
  readonly nsA: string
  /** Name of namespace B. */
  readonly nsB: string
  /** Address of namespace A (`198.18.0.1`), reachable from B through the emulated path. */
  readonly addressA: string
  /** Address of namespace B (`198.18.0.2`). */
  readonly addressB: string
  /** The resolved link the delay line applies now (changed by {@link WanEmulator.reconfigure}). */
  readonly link: Readonly<WanProfile>
  /** MTU of the path. */
  readonly mtuBytes: number
  /** Whether {@link WanEmulator.stop} has run. */
  readonly stopped: boolean
  /**
   * Spawns `command args` inside a namespace (`ip netns exec`). The child is killed by `stop()` if still
   * running.
   */
  run(ns: NamespaceRef, command: string, args?: readonly string[], options?: SpawnOptions): ChildProcess
  /** Spawns this Node binary on `scriptPath` inside a namespace. */
  execNode(
    ns: NamespaceRef,
    scriptPath: string,
    args?: readonly string[],
    options?: SpawnOptions,
  ): ChildProcess
  /** Runs `command args` inside a namespace to completion. */
  exec(
    ns: NamespaceRef,
    command: string,
    args?: readonly string[],
    timeoutMs?: number,
  ): Promise<CommandResult>
  /** Counters so far. */
  stats(): Promise<WanStats>
  /**
   * Changes the path while it carries traffic (a path that degrades or recovers): packets already queued keep
   * their times, later ones see the new link. The delay line's buffer keeps the size it started with; give
   * `bufferBytes` at creation when the new link holds more in flight.
   *
   * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for bad link values
   * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the delay line has stopped
   */
  reconfigure(link: ProfileName | WanProfile | CustomLink): Promise<void>
  /**
   * Kills children started through this emulator, stops the delay line and deletes both namespaces. Every
   * step runs even when an earlier one fails; the first failure is thrown at the end. Safe to call twice.
   * Returns the delay line's final counters.
   */
  stop(): Promise<DelayLineStats | undefined>
}

/** Emulators not yet stopped, removed synchronously if the process exits without `stop()`. */
const live = new Set<{ nsA: string; nsB: string }>()
process.once('exit', () => {
  for (const { nsA, nsB } of live) {
    for (const ns of [nsA, nsB]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5_000 })
      } catch {
        // already gone
      }
    }
  }
})

function checkMtu(mtuBytes: number): number {
  if (!Number.isInteger(mtuBytes) || mtuBytes < 576 || mtuBytes > 9000) {
    throw new InvalidArgumentError('mtuBytes', `${mtuBytes} is outside integers 576..9000`)
  }
  return mtuBytes
}

function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError('seed', `${seed} is not a non-negative safe integer`)
  }
  return seed
}

async function configureNamespace(ns: string, tuneTcpBuffers: boolean): Promise<void> {
  await ipIn(ns, ['link', 'set', 'lo', 'up'])
  // IPv6 off: no router solicitations or MLD reports on the path, so the counters see only test traffic.
  await writeSysctls(ns, [
    ['net/ipv6/conf/all/disable_ipv6', '1'],
    ['net/ipv6/conf/default/disable_ipv6', '1'],
  ]).catch(() => undefined)
  if (tuneTcpBuffers) {
    await writeSysctls(ns, [
      ['net/ipv4/tcp_rmem', '4096 131072 67108864'],
      ['net/ipv4/tcp_wmem', '4096 16384 67108864'],
    ])
  }
}

async function configureDevice(ns: string, local: string, peer: string, mtuBytes: number): Promise<void> {
  await ipIn(ns, ['addr', 'add', local, 'peer', `${peer}/32`, 'dev', EMULATOR_DEVICE])
  await ipIn(ns, ['link', 'set', EMULATOR_DEVICE, 'mtu', String(mtuBytes), 'txqueuelen', '10000', 'up'])
}

/**
 * Creates two network namespaces joined by a user-space delay line that applies the profile's one-way delay,
 * jitter, loss, rate limit and queue. A runs at `198.18.0.1`, B at `198.18.0.2`; traffic between them
 * crosses the emulated path and nothing else is reachable from inside. Needs root; check with
 * {@link wanEmulatorAvailable}.
 *
 * @throws ComponentAbsentError (`DWCP_ERR_COMPONENT_ABSENT`) when the machine cannot run it (reason given)
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for bad link values, MTU or seed
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the delay line fails to build or start
 * @throws AbortedError (`DWCP_ERR_ABORTED`) when `signal` aborts the setup
 */
export async function createWanEmulator(options: WanEmulatorOptions = {}): Promise<WanEmulator> {
  let link = resolveLink(options.custom ?? options.profile ?? 'lan')
  const mtuBytes = checkMtu(options.mtuBytes ?? 1500)
  const seed = checkSeed(options.seed ?? 1)
  const availability = await wanEmulatorAvailable()
  if (!availability.available) throw new ComponentAbsentError('wan-emulator', availability.reason)
  const binary = await ensureDelayLine(options.buildDir === undefined ? {} : { buildDir: options.buildDir })
  await removeStaleNamespaces()

  const { nsA, nsB } = newNamespaceNames()
  const names = { nsA, nsB }
  live.add(names)
  let delayLine: DelayLineProcess | undefined
  const children = new Set<ChildProcess>()
  let stopped = false
  const throwIfAborted = (): void => {
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason)
  }

  const resolveNs = (ns: NamespaceRef): string => {
    if (ns === 'a' || ns === nsA) return nsA
    if (ns === 'b' || ns === nsB) return nsB
    throw new InvalidArgumentError('ns', `'${ns}' is not one of this emulator's namespaces (${nsA}, ${nsB})`)
  }

  const stop = async (): Promise<DelayLineStats | undefined> => {
    stopped = true
    const failures: unknown[] = []
    await Promise.all([...children].map((child) => killChild(child)))
    const final = await delayLine?.stop().catch((error: unknown) => {
      failures.push(error)
      return undefined
    })
    for (const ns of [nsA, nsB]) await deleteNamespace(ns).catch((error: unknown) => failures.push(error))
    live.delete(names)
    if (failures.length > 0) throw failures[0]
    return final
  }

  try {
    throwIfAborted()
    await addNamespace(nsA)
    await addNamespace(nsB)
    const tuneTcpBuffers = options.tuneTcpBuffers ?? true
    await Promise.all([configureNamespace(nsA, tuneTcpBuffers), configureNamespace(nsB, tuneTcpBuffers)])
    throwIfAborted()
    delayLine = await DelayLineProcess.start({
      binary,
      nsA,
      nsB,
      device: EMULATOR_DEVICE,
      link,
      seed,
      jitterDistribution: options.jitterDistribution ?? 'uniform',
      niceValue: options.niceValue ?? -10,
      ...(options.bufferBytes === undefined ? {} : { bufferBytes: options.bufferBytes }),
    })
    await configureDevice(nsA, EMULATOR_ADDRESSES.a, EMULATOR_ADDRESSES.b, mtuBytes)
    await configureDevice(nsB, EMULATOR_ADDRESSES.b, EMULATOR_ADDRESSES.a, mtuBytes)
    await ipIn(nsA, ['route', 'add', `${EMULATOR_ADDRESSES.discardB}/32`, 'dev', EMULATOR_DEVICE])
    await ipIn(nsB, ['route', 'add', 'blackhole', `${EMULATOR_ADDRESSES.discardB}/32`])
    throwIfAborted()
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }
  const line = delayLine

  const run = (
    ns: NamespaceRef,
    command: string,
    args: readonly string[] = [],
    spawnOptions: SpawnOptions = {},
  ) => {
    const child = spawn('ip', ['netns', 'exec', resolveNs(ns), command, ...args], spawnOptions)
    children.add(child)
    child.on('close', () => children.delete(child))
    child.on('error', () => children.delete(child))
    return child
  }

  return {
    nsA,
    nsB,
    addressA: EMULATOR_ADDRESSES.a,
    addressB: EMULATOR_ADDRESSES.b,
    get link() {
      return Object.freeze({ ...link })
    },
    mtuBytes,
    get stopped() {
      return stopped
    },
    run,
    execNode: (ns, scriptPath, args = [], spawnOptions = {}) =>
      run(ns, process.execPath, [scriptPath, ...args], spawnOptions),
    exec: (ns, command, args = [], timeoutMs) =>
      runCommand('ip', ['netns', 'exec', resolveNs(ns), command, ...args], timeoutMs),
    stats: async () => {
      const [counters, a, b] = await Promise.all([
        line.stats(),
        deviceCounters(nsA, EMULATOR_DEVICE),
        deviceCounters(nsB, EMULATOR_DEVICE),
      ])
      return { ...counters, devices: { a, b } }
    },
    reconfigure: async (next) => {
      const resolved = resolveLink(next)
      await line.configure(resolved)
      link = resolved
    },
    stop,
  }
}

/** SIGTERM, then SIGKILL after a second; resolves once the child has exited. */
function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 1_000)
    child.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
