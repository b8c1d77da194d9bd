import type { Socket } from 'node:net'
import type { Logger } from '@dwcp/core'
import type { StreamStats } from '../session/stream-provider.js'
import { useCrc32c } from '../wire/checksum.js'

/** The socket functions of the optional native addon that the TCP transport uses. */
export interface NativeSocketFunctions {
  setCongestionControl(socket: Socket, algorithm: string): void
  tcpInfo(socket: Socket): {
    totalRetrans: number
    segsOut: number
    rttUs?: number
    rttvarUs?: number
    lastDataSentMs?: number
  }
}

let loaded: Promise<NativeSocketFunctions | string> | undefined

/**
 * Loads the socket functions from `@dwcp/rdma-native` (an optional dependency) once; resolves with the reason
 * when they are not available, so the transport runs without per-socket congestion control or TCP_INFO.
 */
export function nativeSocketFunctions(): Promise<NativeSocketFunctions | string> {
  loaded ??= (async () => {
    try {
      const native = (await import('@dwcp/rdma-native')) as unknown as NativeSocketFunctions & {
        nativeStatus(): { available: boolean; reason?: string }
        nativeCrc32c(): ((bytes: Uint8Array, previous?: number) => number) | undefined
      }
      const status = native.nativeStatus()
      if (!status.available) return status.reason ?? 'native addon unavailable'
      const fast = native.nativeCrc32c()
      if (fast) useCrc32c(fast)
      return { setCongestionControl: native.setCongestionControl, tcpInfo: native.tcpInfo }
    } catch (error) {
      return `@dwcp/rdma-native is not installed: ${(error as Error).message}`
    }
  })()
  return loaded
}

/** Applies a congestion control algorithm to a socket; logs (once per reason) when it cannot. */
export function applyCongestion(
  native: NativeSocketFunctions | string,
  socket: Socket,
  algorithm: string | undefined,
  logger: Logger,
): void {
  if (!algorithm) return
  if (typeof native === 'string') {
    logger.debug({ algorithm, reason: native }, 'congestion control left to the kernel default')
    return
  }
  try {
    native.setCongestionControl(socket, algorithm)
  } catch (error) {
    logger.warn({ algorithm, reason: (error as Error).message }, 'could not set congestion control')
  }
}

/** A bulk socket's RTT counts when it sent data this recently: an idle socket's RTT is as old as its last data. */
const RTT_FRESH_MS = 1000

/**
 * What TCP_INFO says about a session's sockets (the first one carries control): the loss rate (retransmitted
 * segments over segments sent) and the path's RTT: the lowest smoothed RTT (and its variation) among the bulk
 * sockets that sent data in the last second. The kernel times every segment, where pings time one round trip a
 * second behind whatever stream 0 queued; but a socket carrying small messages (control, or an idle stream's
 * last bytes) is timed against its peer's delayed acknowledgements, tens of milliseconds even on loopback, and an
 * idle socket's RTT is stale. Those say nothing of the path, so without a fresh bulk socket there is no RTT here
 * and the session times its pings.
 */
export function socketsStats(
  native: NativeSocketFunctions | string,
  sockets: readonly Socket[],
): StreamStats {
  if (typeof native === 'string') return { lossRate: 0 }
  let retrans = 0
  let sent = 0
  let best: { rttUs: number; rttvarUs: number } | undefined
  sockets.forEach((socket, index) => {
    try {
      const info = native.tcpInfo(socket)
      retrans += info.totalRetrans
      sent += info.segsOut
      const fresh = index > 0 && info.lastDataSentMs !== undefined && info.lastDataSentMs <= RTT_FRESH_MS
      // 0 until the kernel timed a segment; such a socket says nothing about the RTT yet.
      if (fresh && info.rttUs !== undefined && info.rttUs > 0 && (!best || info.rttUs < best.rttUs))
        best = { rttUs: info.rttUs, rttvarUs: info.rttvarUs ?? 0 }
    } catch {
      // A socket closing under us has no TCP_INFO; it counts for nothing.
    }
  })
  return {
    lossRate: sent === 0 ? 0 : Math.min(1, retrans / sent),
    ...(best ? { rttMs: best.rttUs / 1000, rttVarMs: best.rttvarUs / 1000 } : {}),
  }
}
