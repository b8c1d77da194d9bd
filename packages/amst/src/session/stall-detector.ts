import type { FrameStream } from './stream-provider.js'

/** Smallest stall worth acting on: below Linux's 200 ms minimum RTO, a stream is most likely just queueing. */
const MIN_STALL_MS = 200
/** Stall threshold in round trips: fast retransmit repairs a loss in about one, so two means an RTO. */
const STALL_RTTS = 2

/**
 * Spots a stream that holds back a striped transfer. Chunks are delivered in order, so one stream in loss
 * recovery (a retransmission timeout with exponential backoff) stops the cumulative acknowledgement while the
 * other streams sit idle behind a full window. When the acknowledgement has not moved for longer than the
 * stall threshold, the sender reclaims the stalled stream's unacknowledged chunks and sends them again on the
 * others (the receiver drops whichever copy arrives second), and leaves that stream alone for a while.
 * This is the opportunistic retransmission of multipath TCP, at chunk granularity.
 */
export class StallDetector {
  readonly #rttMs: () => number | undefined
  #lastProgressMs: number
  readonly #avoidUntilMs = new Map<FrameStream, number>()

  /**
   * @param nowMs - the transfer's start
   * @param rttMs - the session's smoothed RTT, undefined before the first measurement
   */
  constructor(nowMs: number, rttMs: () => number | undefined) {
    this.#lastProgressMs = nowMs
    this.#rttMs = rttMs
  }

  /** How long the acknowledgement may stand still before a stream counts as stalled. */
  get stallMs(): number {
    return Math.max(MIN_STALL_MS, STALL_RTTS * (this.#rttMs() ?? 0))
  }

  /** The acknowledgement moved (or a reclaim just happened): restart the stall clock. */
  progressed(nowMs: number): void {
    this.#lastProgressMs = nowMs
  }

  /** Milliseconds until the acknowledgement counts as stalled; 0 or less once it does. */
  remainingMs(nowMs: number): number {
    return this.#lastProgressMs + this.stallMs - nowMs
  }

  /** Records that `stream` stalled: it is avoided for a few stall periods, or until it is the only choice. */
  reclaimed(stream: FrameStream, nowMs: number): void {
    this.#avoidUntilMs.set(stream, nowMs + 4 * this.stallMs)
    this.#lastProgressMs = nowMs
  }

  /** True while `stream` recently stalled and should get no new chunks. */
  avoided(stream: FrameStream, nowMs: number): boolean {
    const untilMs = this.#avoidUntilMs.get(stream)
    if (untilMs === undefined) return false
    if (untilMs > nowMs) return true
    this.#avoidUntilMs.delete(stream)
    return false
  }
}
