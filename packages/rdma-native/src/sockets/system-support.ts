/**
 * What the host's kernel offers for sockets: the congestion control algorithms (read from `/proc`, no addon
 * needed) and Multipath TCP support (the sysctl, then a real MPTCP socket tried through the addon).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDwcpError, type NativeUnavailableError } from '@dwcp/core'
import type { NativeMptcpProbe } from './binding.js'
import { errnoName, socketsBinding } from './socket-fd.js'

/** Options of the functions that read `/proc`. */
export interface ProcOptions {
  /**
   * Where procfs is mounted (tests point it at a fixture directory).
   * @default '/proc'
   */
  procRoot?: string
}

/** Whether Multipath TCP can be used here, as {@link mptcpStatus} reports it. */
export interface MptcpStatus {
  /** Whether `net.mptcp.enabled` is on and this process could create an MPTCP socket. */
  enabled: boolean
  /** Why, in words: the sysctl's value, the missing support, or the error creating the socket. */
  reason: string
  /** The `errno` of the failed `socket(…, IPPROTO_MPTCP)` call, when that is why MPTCP is unavailable. */
  errno?: number
}

/**
 * The congestion control algorithms loaded in the kernel (`/proc/sys/net/ipv4/tcp_available_congestion_control`),
 * e.g. `['reno', 'cubic', 'bbr']`; `[]` when the file cannot be read (not Linux). Reads the file synchronously.
 */
export function availableCongestionAlgorithms(options: ProcOptions = {}): string[] {
  return readList(options, 'sys/net/ipv4/tcp_available_congestion_control')
}

/**
 * The algorithms any process may select (`/proc/sys/net/ipv4/tcp_allowed_congestion_control`); the others need
 * `CAP_NET_ADMIN`. `[]` when the file cannot be read. Reads the file synchronously.
 */
export function allowedCongestionAlgorithms(options: ProcOptions = {}): string[] {
  return readList(options, 'sys/net/ipv4/tcp_allowed_congestion_control')
}

/**
 * Whether this host supports Multipath TCP: `/proc/sys/net/mptcp/enabled` must be 1, and this process must be
 * able to create `socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)` (tried through the native addon, and closed at
 * once). Never throws: when the addon cannot be loaded, `enabled` is `false` and `reason` says why.
 */
export function mptcpStatus(options: ProcOptions = {}): MptcpStatus {
  const path = join(options.procRoot ?? '/proc', 'sys/net/mptcp/enabled')
  let value: string
  try {
    value = readFileSync(path, 'utf8').trim()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return {
      enabled: false,
      reason:
        code === 'ENOENT'
          ? `the kernel has no MPTCP support (no ${path})`
          : `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
    }
  }
  if (value === '0') {
    return { enabled: false, reason: 'MPTCP is disabled: net.mptcp.enabled = 0 (sysctl net.mptcp.enabled=1)' }
  }
  if (value !== '1')
    return { enabled: false, reason: `unexpected net.mptcp.enabled value ${JSON.stringify(value)}` }
  let probe: NativeMptcpProbe
  try {
    probe = socketsBinding().probeMptcpSocket()
  } catch (err) {
    const why = isDwcpError(err, 'DWCP_ERR_NATIVE_UNAVAILABLE')
      ? (err as NativeUnavailableError).data.reason
      : String(err)
    return { enabled: false, reason: `net.mptcp.enabled = 1, but no MPTCP socket could be tried: ${why}` }
  }
  if (probe.ok) {
    return { enabled: true, reason: 'net.mptcp.enabled = 1 and an MPTCP socket could be created' }
  }
  return {
    enabled: false,
    reason: `net.mptcp.enabled = 1, but socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) failed with ${errnoName(
      probe.errno,
    )}: ${probe.message}`,
    errno: probe.errno,
  }
}

function readList(options: ProcOptions, relative: string): string[] {
  try {
    return readFileSync(join(options.procRoot ?? '/proc', relative), 'utf8')
      .split(/\s+/)
      .filter((name) => name.length > 0)
  } catch {
    return []
  }
}
