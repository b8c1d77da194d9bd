import type { Session } from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { holdPacing, releasePacing } from '../pacing-holds.js'
import { codecForPath, type MigrationCodecChoice } from './path-codec.js'

/**
 * What a migration knows about the path to its target when it tunes: the peer's forecast (`node.predict`), the
 * session's latest sample, or the rate this migration measured in its last round.
 *
 * Every bandwidth here is measured goodput, so a lower bound of what the path can carry (a transfer that did
 * not fill the path measures less than the path). The decisions below only act on "at least this fast"; none
 * of them slows a migration down because a measurement was low.
 */
export interface PathForecast {
  /** Where the numbers come from. */
  source: 'prediction' | 'sample' | 'round'
  /** Bits per second, `null` when nothing measured it (an idle path, or a session that only sent). */
  bandwidthBps: number | null
  /** Round-trip time in milliseconds (> 0). */
  rttMs: number
  /** Loss rate, 0..1. */
  lossRate: number
}

/** Constants of {@link decidePathTuning}. */
export interface PathTuningPolicy {
  /** TCP segment payload assumed for the loss-limited rate of one stream (Mathis et al.). @default 1448 */
  segmentBytes: number
  /** Window one stream is assumed to get from the kernel's socket buffers. @default 4 MiB */
  windowBytesPerStream: number
  /** Stream count on an internet path: DESIGN.md §1 says 4–16. @default { min: 4, max: 16 } */
  internetStreams: { min: number; max: number }
  /** Rate the streams are sized for when the path's bandwidth is unknown (top of the internet range). @default 1e9 */
  nominalInternetBps: number
  /**
   * Pacing rate and stream sizing as a multiple of the measured bandwidth: measurements are lower bounds, so
   * pacing leaves room above them (like BBR's start-up gain) and can only cap a burst, not the path. @default 2
   */
  gain: number
  /**
   * On an internet-class path measured at least this fast, round 1 goes raw (compressing 4 KiB pages with zstd
   * on two cores is slower than the wire) and deltas use level 1. @default 4e9
   */
  rawAboveBps: number
}

/** The default {@link PathTuningPolicy}. */
export const DEFAULT_PATH_TUNING: Readonly<PathTuningPolicy> = Object.freeze({
  segmentBytes: 1448,
  windowBytesPerStream: 4 * 1024 * 1024,
  internetStreams: Object.freeze({ min: 4, max: 16 }),
  nominalInternetBps: 1e9,
  gain: 2,
  rawAboveBps: 4e9,
})

/** What a migration sets on the path to its target. */
export interface PathTuning {
  /** Codec of the rounds (decided once, at the start: the target builds its decoder from it). */
  codec: MigrationCodecChoice
  /** Session pacing rate in bits per second; 0 leaves the session's pacing as it is. */
  pacingRateBps: number
  /** Fewest streams the migration wants on the session; `undefined` leaves the count to the transport. */
  streams: number | undefined
  /** The forecast it was decided from, if any. */
  forecast: PathForecast | undefined
}

/**
 * Decides codec, pacing and stream count for one path from its class (RTT and loss, see {@link codecForPath})
 * and its forecast:
 *
 * - datacenter class: the class's codec (raw round 1, delta level 1), no pacing, the transport's stream count
 *   (a fast path with little loss needs no more streams than it has, and a low measured goodput there says
 *   more about the sender than about the path);
 * - internet class: the class's codec (zstd frames, delta level 3), unless the path was measured faster than
 *   `rawAboveBps`, where compression would be the bottleneck; pacing at `gain` × the measured bandwidth when
 *   one was measured (none otherwise); streams enough to carry `gain` × the measured bandwidth (or
 *   `nominalInternetBps` when unmeasured) given what one TCP stream gets at this RTT and loss, the smaller of
 *   window / RTT and the Mathis rate 1.22 · MSS / (RTT · √loss), within 4–16.
 */
export function decidePathTuning(
  classCodec: MigrationCodecChoice,
  forecast: PathForecast | undefined,
  policy: PathTuningPolicy = DEFAULT_PATH_TUNING,
): PathTuning {
  if (classCodec.pathClass === 'datacenter')
    return { codec: classCodec, pacingRateBps: 0, streams: undefined, forecast }
  const bandwidth = forecast?.bandwidthBps ?? null
  const codec: MigrationCodecChoice =
    bandwidth !== null && bandwidth >= policy.rawAboveBps
      ? { pathClass: classCodec.pathClass, fullRound: 'raw', level: 1 }
      : classCodec
  if (!forecast || !(forecast.rttMs > 0)) return { codec, pacingRateBps: 0, streams: undefined, forecast }
  const rttSeconds = forecast.rttMs / 1000
  const windowLimitedBps = (policy.windowBytesPerStream * 8) / rttSeconds
  const lossLimitedBps =
    forecast.lossRate > 0
      ? (1.22 * policy.segmentBytes * 8) / (rttSeconds * Math.sqrt(forecast.lossRate))
      : Number.POSITIVE_INFINITY
  const perStreamBps = Math.min(windowLimitedBps, lossLimitedBps)
  const targetBps = bandwidth !== null ? bandwidth * policy.gain : policy.nominalInternetBps
  const { min, max } = policy.internetStreams
  const streams = Math.min(max, Math.max(min, Math.ceil(targetBps / perStreamBps)))
  const pacingRateBps = bandwidth !== null && bandwidth > 0 ? Math.round(bandwidth * policy.gain) : 0
  return { codec, pacingRateBps, streams, forecast }
}

/**
 * The forecast of the path to `peer`: the node's prediction when its predictor has samples, else the session's
 * latest sample, else nothing (no RTT measured yet). `rounds` are what this migration measured itself: the
 * fastest of them (rounds long enough to measure more than latency) replaces a lower or unknown bandwidth. A node's predictor is fed only samples that measured goodput, and a session
 * measures goodput from the chunks it receives, so a node that only sends to a peer has no prediction for it;
 * the migration's own rounds are then the only bandwidth measurement.
 */
export function pathForecast(
  node: DwcpNode,
  peer: string,
  rounds: readonly MeasuredRound[] = [],
): PathForecast | undefined {
  const roundBps = fastestRound(rounds)
  let forecast: PathForecast | undefined
  const p = node.tryPredict(peer)
  if (p && p.rttMs > 0)
    forecast = {
      source: 'prediction',
      bandwidthBps: p.bandwidthBps > 0 ? p.bandwidthBps : null,
      rttMs: p.rttMs,
      lossRate: clampLoss(p.lossRate),
    }
  if (!forecast) {
    const s = node.session(peer)?.sample()
    if (s && s.rttMs > 0)
      forecast = {
        source: 'sample',
        bandwidthBps: s.bandwidthBps > 0 ? s.bandwidthBps : null,
        rttMs: s.rttMs,
        lossRate: clampLoss(s.lossRate),
      }
  }
  if (!forecast || roundBps === null) return forecast
  // A round that lasted several round trips measured the path better than an idle sample did.
  if (forecast.bandwidthBps === null || roundBps > forecast.bandwidthBps)
    return { ...forecast, source: 'round', bandwidthBps: roundBps }
  return forecast
}

/** Codec, pacing and streams for the path to `peer`, from its class and forecast. */
export function tunePath(node: DwcpNode, peer: string, rounds: readonly MeasuredRound[] = []): PathTuning {
  return withNodePacing(node, decidePathTuning(codecForPath(node, peer), pathForecast(node, peer, rounds)))
}

/** `tuning` without pacing when the node's `transport.pacing` is off (pacing is then TCP's alone). */
export function withNodePacing(node: DwcpNode, tuning: PathTuning): PathTuning {
  return node.pacingEnabled ? tuning : { ...tuning, pacingRateBps: 0 }
}

/** Rounds shorter than this say more about latency than about bandwidth. */
const MIN_ROUND_MS = 50
/** Least wire bytes for a round's rate to count (one default chunk). */
const MIN_ROUND_BYTES = 256 * 1024

/** Wire bytes and transfer time of one round (a {@link RoundStats} fits). */
export interface MeasuredRound {
  wireBytes: number
  transferMs: number
}

/**
 * The fastest rate among rounds that lasted long enough to measure more than latency, or `null`. Each is a
 * lower bound of the path, so the fastest is the best one: a later, smaller round that was mostly latency does
 * not lower the pacing of the stop-and-copy.
 */
export function fastestRound(rounds: readonly MeasuredRound[]): number | null {
  let best: number | null = null
  for (const r of rounds) {
    if (!(r.transferMs >= MIN_ROUND_MS) || r.wireBytes < MIN_ROUND_BYTES) continue
    const bps = (r.wireBytes * 8 * 1000) / r.transferMs
    if (best === null || bps > best) best = bps
  }
  return best
}

function clampLoss(loss: number): number {
  return Number.isFinite(loss) ? Math.min(1, Math.max(0, loss)) : 0
}

/** A session of the AMST session engine (memory, TCP, UCX) also offers pacing; core's Session does not. */
interface PacedSession extends Session {
  setPacingRate(rateBps: number): void
  readonly pacingRateBps: number
}

function isPaced(session: Session): session is PacedSession {
  const s = session as Partial<PacedSession>
  return typeof s.setPacingRate === 'function' && typeof s.pacingRateBps === 'number'
}

/** What {@link PathTuner} has applied to the session. */
export interface AppliedTuning {
  /** Pacing rate set on the session by this migration (0: none). */
  pacingRateBps: number
  /** The session's stream count after tuning. */
  streams: number | null
}

/**
 * Applies a migration's {@link PathTuning} to its session and undoes what must be undone when it ends:
 *
 * - pacing: `setPacingRate` on sessions of the AMST session engine (memory, TCP, UCX; not part of core's
 *   Session, so other transports are left alone). The session is shared (consensus, other migrations): the
 *   rate it had before the first migration that paced it is restored after the last one ends.
 * - streams: `session.streams` (core's Session) is only ever raised, never lowered: lowering it while other
 *   transfers stripe over the session would retire streams under them. On TCP the node's StreamTuner keeps
 *   tuning the count from goodput afterwards; the memory and UCX transports keep the raised count.
 */
export class PathTuner {
  readonly #session: Session | undefined
  #pacing = false
  #applied: AppliedTuning = { pacingRateBps: 0, streams: null }

  constructor(session: Session | undefined) {
    this.#session = session
  }

  /** What is applied now. */
  get applied(): AppliedTuning {
    return { ...this.#applied }
  }

  /** Applies (or re-applies, as the forecast improves) a tuning. Never throws: tuning is best effort. */
  apply(tuning: PathTuning): AppliedTuning {
    const session = this.#session
    if (!session || session.closed) return this.applied
    try {
      if (tuning.streams !== undefined && session.streams < tuning.streams) session.streams = tuning.streams
    } catch {
      // the session closed meanwhile, or refused the count
    }
    let pacingRateBps = this.#applied.pacingRateBps
    if (tuning.pacingRateBps > 0 && isPaced(session)) {
      try {
        if (!this.#pacing) {
          holdPacing(session, session.pacingRateBps)
          this.#pacing = true
        }
        session.setPacingRate(tuning.pacingRateBps)
        pacingRateBps = tuning.pacingRateBps
      } catch {
        // a closed session
      }
    }
    this.#applied = { pacingRateBps, streams: session.closed ? null : session.streams }
    return this.applied
  }

  /** Ends this migration's hold on the session: the last holder restores the pacing rate it found. */
  release(): void {
    const session = this.#session
    if (!this.#pacing || !session) return
    this.#pacing = false
    const originalRateBps = releasePacing(session)
    if (originalRateBps === undefined) return
    if (isPaced(session) && !session.closed) {
      try {
        session.setPacingRate(originalRateBps)
      } catch {}
    }
  }
}
