import type { Logger, PathClass, Session } from '@dwcp/core'
import { MODE_DEFAULTS } from './mode-defaults.js'
import { isPacingHeld } from './pacing-holds.js'

/** What a path's class asks of the sessions on it (besides the codec, which `node.codecFor` picks). */
export interface PathSettings {
  pathClass: PathClass
  /** Streams the session keeps (the TCP stream tuner may raise them from measured goodput). */
  streams: number
  /** Congestion control of the session's sockets, where the transport can set it per session. */
  congestion: 'cubic' | 'bbr'
  /** Pacing rate of bulk chunks, bits per second; 0 leaves pacing to the transport. */
  pacingRateBps: number
}

/**
 * The settings of a path of class `pathClass`: a datacenter path is the datacenter mode's (its streams, cubic,
 * no pacing: the link is not the bottleneck and loss is a real signal); an internet path the internet mode's
 * (its streams, BBR, pacing at twice the forecast so that bursts do not overrun a shallow bottleneck queue,
 * none while the path is unmeasured, or when the node's `transport.pacing` is off).
 */
export function pathSettings(
  pathClass: PathClass,
  forecastBps: number | undefined,
  pacingAllowed = true,
): PathSettings {
  const transport = MODE_DEFAULTS[pathClass].transport
  const paced = pacingAllowed && transport.pacing && forecastBps !== undefined
  return {
    pathClass,
    streams: transport.streams,
    congestion: transport.congestion,
    pacingRateBps: paced ? 2 * forecastBps : 0,
  }
}

/** Session surface beyond core's `Session` that AMST sessions offer; each part is optional. */
interface TunableSession extends Session {
  setPacingRate?(rateBps: number): void
  setCongestion?(algorithm: string): void
}

/** Applies `settings` to `session`: stream count, pacing and congestion control where the session has them. */
export function applyPathSettings(session: Session, settings: PathSettings, logger: Logger): void {
  if (session.closed) return
  const tunable = session as TunableSession
  try {
    if (session.streams !== settings.streams) session.streams = settings.streams
    // A migration holding the session's pacing sets its own rate, and restores what it found when it ends.
    if (!isPacingHeld(session)) tunable.setPacingRate?.(settings.pacingRateBps)
    tunable.setCongestion?.(settings.congestion)
  } catch (error) {
    // A session closing under us, or a transport that refuses a count: the path keeps what it had.
    logger.warn({ peer: session.remote.nodeId, error: String(error) }, 'path settings not applied')
  }
}
