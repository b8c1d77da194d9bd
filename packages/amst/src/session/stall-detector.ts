import type { LoopMeter } from './loop-meter.js'
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
 *
 * The threshold is counted in the time the sender's event loop was responsive (see {@link LoopMeter}), not in
 * wall time: in a process that is busy (encoding, decoding, hashing, writing to disk, running consensus, all on
 * one loop), acknowledgements wait to be read while the loop is blocked, and the stream that carries them is
 * not to blame. A stream stuck in the network stays stuck while the loop turns, and is reclaimed.
 */
export class StallDetector {
  readonly #rttMs: () => number | undefined
  readonly #responsiveMs: (nowMs: number) => number
  /** When the acknowledgement last moved, in responsive time. */
  #lastProgressMs: number
  readonly #avoidUntilMs = new Map<FrameStream, number>()

  /**
   * @param nowMs - the transfer's start
   * @param rttMs - the session's smoothed RTT, undefined before the first measurement
   * @param responsiveMs - the responsive time at a clock reading (a {@link LoopMeter}'s); wall time by default
   */
  constructor(
    nowMs: number,
    rttMs: () => number | undefined,
    responsiveMs: (nowMs: number) => number = (ms) => ms,
  ) {
    this.#rttMs = rttMs
    this.#responsiveMs = responsiveMs
    this.#lastProgressMs = responsiveMs(nowMs)
  }

  /** How long the acknowledgement may stand still, in responsive time, before a stream counts as stalled. */
  get stallMs(): number {
    return Math.max(MIN_STALL_MS, STALL_RTTS * (this.#rttMs() ?? 0))
  }

  /** The acknowledgement moved (or a reclaim just happened): restart the stall clock. */
  progressed(nowMs: number): void {
    this.#lastProgressMs = this.#responsiveMs(nowMs)
  }

  /**
   * Milliseconds of responsive time until the acknowledgement counts as stalled; 0 or less once it does. At
   * least this much wall time is left, more when the event loop is blocked meanwhile.
   */
  remainingMs(nowMs: number): number {
    return this.#lastProgressMs + this.stallMs - this.#responsiveMs(nowMs)
  }

  /** Records that `stream` stalled: it is avoided for a few stall periods, or until it is the only choice. */
  reclaimed(stream: FrameStream, nowMs: number): void {
    this.#avoidUntilMs.set(stream, nowMs + 4 * this.stallMs)
    this.progressed(nowMs)
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
