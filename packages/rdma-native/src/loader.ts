/**
 * Finds, probes and loads the native addon, or explains precisely why it cannot: the binary is missing, it does
 * not load (the dlopen error, e.g. a missing libucx), it crashes or hangs when loaded, or it lacks the expected
 * exports.
 */
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { InvalidArgumentError, isDwcpError, NativeUnavailableError } from '@dwcp/core'
import { type NativeBinding, REQUIRED_EXPORTS } from './binding.js'
import { probeBinary } from './probe.js'
import { applyUcxSafetyDefaults } from './ucx-environment.js'

/** Where the built binary lives, relative to the package root (cmake-js's output directory). */
export const BINDING_RELATIVE_PATH = join('build', 'Release', 'dwcp_rdma.node')

/** Default time the child process gets to load the binary, in milliseconds. */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000

/** Options of {@link loadNative} and {@link nativeStatus}. */
export interface LoadNativeOptions {
  /**
   * Path of the binary to load; a relative path resolves against the working directory.
   * @default `build/Release/dwcp_rdma.node` under this package's root ({@link defaultBindingPath})
   */
  bindingPath?: string
  /**
   * Load the binary in a child process first, and in this process only if that succeeded, so that a binary
   * that crashes or hangs on load cannot take the host down.
   * @default true
   */
  probe?: boolean
  /**
   * How long the child process may take to load the binary, in milliseconds.
   * @default DEFAULT_PROBE_TIMEOUT_MS (10 000)
   */
  probeTimeoutMs?: number
}

/** Whether the addon can be used, as reported by {@link nativeStatus}. */
export type NativeStatus =
  | {
      /** The addon is loaded. */
      available: true
      /** Absolute path of the loaded binary. */
      path: string
    }
  | {
      /** The addon cannot be used. */
      available: false
      /** Why: the missing file, the dlopen error, the probe's outcome, or the missing export. */
      reason: string
      /** The error code `loadNative` throws with. */
      code: 'DWCP_ERR_NATIVE_UNAVAILABLE'
    }

type Outcome = { binding: NativeBinding } | { reason: string; cause?: unknown }

const requireHere = createRequire(import.meta.url)
/** Outcome per absolute binary path: a binary cannot be unloaded, so the first outcome stands. */
const outcomes = new Map<string, Outcome>()
let packageRoot: string | undefined

/**
 * Absolute path where the built binary is expected: {@link BINDING_RELATIVE_PATH} under the root of the
 * installed `@dwcp/rdma-native` package, located from this module's own location.
 *
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the package root cannot be located (for
 *   example when the package was bundled into a single file)
 */
export function defaultBindingPath(): string {
  if (packageRoot === undefined) {
    try {
      packageRoot = dirname(requireHere.resolve('@dwcp/rdma-native/package.json'))
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0] : String(err)
      throw new NativeUnavailableError(
        `cannot locate the @dwcp/rdma-native package root to find ${BINDING_RELATIVE_PATH}: ${detail}`,
        err,
      )
    }
  }
  return join(packageRoot, BINDING_RELATIVE_PATH)
}

/**
 * Loads the native addon and returns its binding.
 *
 * With `probe` (the default) the binary is first loaded in a child Node process, which blocks the caller for one
 * Node start-up (at most `probeTimeoutMs`); only if that child loads it cleanly is it loaded here. The outcome,
 * success or failure, is kept per path for the life of the process, so later calls return at once.
 *
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) whose `reason` names the missing file, quotes
 *   the dlopen error (e.g. a missing `libucp.so`), gives the probe's outcome, or names a missing export
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) when `probeTimeoutMs` is not a positive integer
 */
export function loadNative(options: LoadNativeOptions = {}): NativeBinding {
  const { probe = true, probeTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS } = options
  if (!Number.isSafeInteger(probeTimeoutMs) || probeTimeoutMs <= 0) {
    throw new InvalidArgumentError('probeTimeoutMs', `${probeTimeoutMs} is not a positive integer`)
  }
  const path = bindingPathOf(options)
  let outcome = outcomes.get(path)
  if (outcome === undefined) {
    outcome = load(path, probe, probeTimeoutMs)
    outcomes.set(path, outcome)
  }
  if ('binding' in outcome) return outcome.binding
  throw new NativeUnavailableError(outcome.reason, outcome.cause)
}

/**
 * Whether the native addon can be used, loading it (as {@link loadNative} does) if that was not tried yet.
 * Never throws.
 */
export function nativeStatus(options: LoadNativeOptions = {}): NativeStatus {
  try {
    loadNative(options)
    return { available: true, path: bindingPathOf(options) }
  } catch (err) {
    const reason = isDwcpError(err, 'DWCP_ERR_NATIVE_UNAVAILABLE')
      ? (err as NativeUnavailableError).data.reason
      : err instanceof Error
        ? err.message
        : String(err)
    return { available: false, reason, code: 'DWCP_ERR_NATIVE_UNAVAILABLE' }
  }
}

function bindingPathOf(options: LoadNativeOptions): string {
  return options.bindingPath === undefined ? defaultBindingPath() : resolve(options.bindingPath)
}

/**
 * Why the install did not build the addon, as its build script left it in `build/NOT_BUILT` beside the binary's
 * directory (`; cmake is not on PATH …`), or nothing when it left no reason.
 */
function whyNotBuilt(bindingPath: string): string {
  try {
    const reason = readFileSync(join(dirname(dirname(bindingPath)), 'NOT_BUILT'), 'utf8')
      .trim()
      .split('\n')[0]
    return reason ? ` (${reason})` : ''
  } catch {
    return ''
  }
}

function load(path: string, probe: boolean, probeTimeoutMs: number): Outcome {
  let isFile: boolean
  try {
    isFile = statSync(path, { throwIfNoEntry: false })?.isFile() === true
  } catch (err) {
    return { reason: `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, cause: err }
  }
  if (!isFile)
    return {
      reason: `no binary at ${path}: the native addon has not been built for this install${whyNotBuilt(path)}`,
    }
  // Before anything loads libucm, in the probe child (which inherits the environment) or here.
  applyUcxSafetyDefaults()
  if (probe) {
    const probed = probeBinary(path, probeTimeoutMs)
    if (!probed.ok) return { reason: `cannot load ${path} (probed in a child process): ${probed.reason}` }
  }
  let binding: Record<string, unknown>
  try {
    binding = requireHere(path) as Record<string, unknown>
  } catch (err) {
    return { reason: `cannot load ${path}: ${err instanceof Error ? err.message : String(err)}`, cause: err }
  }
  const missing = REQUIRED_EXPORTS.filter((name) => typeof binding[name] !== 'function')
  if (missing.length > 0) return { reason: `${path} does not export ${missing.join(', ')}` }
  return { binding: binding as unknown as NativeBinding }
}
