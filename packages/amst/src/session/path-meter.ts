import type { PathSample } from '@dwcp/core'
import { DeliveryRateEstimator } from './delivery-rate.js'
import type { StreamStats } from './stream-provider.js'

/**
 * Turns a session's measurements into a {@link PathSample}: RTT and its variation from pings, smoothed as TCP
 * smooths them (RFC 6298 gains), unless the streams report the kernel's own; the receiving side's goodput over
 * the last measurement interval; and the sending side's delivery rate (see {@link DeliveryRateEstimator}).
 */
export class PathMeter {
  #srttMs: number | undefined
  #rttvarMs = 0
  #minRttMs: number | undefined
  #bytesSinceTick = 0
  #lastTickMs: number
  #receivedBps = 0
  /** The sending side's estimator: transfers record their chunks and acknowledgements in it. */
  readonly delivery: DeliveryRateEstimator

  constructor(nowMs: number) {
    this.#lastTickMs = nowMs
    this.delivery = new DeliveryRateEstimator(nowMs, () => this.#minRttMs ?? 0)
  }

  /** The smoothed ping RTT, undefined before the first round trip. */
  get srttMs(): number | undefined {
    return this.#srttMs
  }

  /** Records one round trip. */
  onRtt(rttMs: number): void {
    this.#minRttMs = Math.min(this.#minRttMs ?? rttMs, rttMs)
    if (this.#srttMs === undefined) {
      this.#srttMs = rttMs
      this.#rttvarMs = rttMs / 2
      return
    }
    this.#rttvarMs = 0.75 * this.#rttvarMs + 0.25 * Math.abs(this.#srttMs - rttMs)
    this.#srttMs = 0.875 * this.#srttMs + 0.125 * rttMs
  }

  /** Records bytes received from the peer (wire bytes of the chunks that arrived). */
  onDelivered(bytes: number): void {
    this.#bytesSinceTick += bytes
  }

  /** Closes a measurement interval: goodput is the interval's bytes over its length (0 when idle). */
  tick(nowMs: number): void {
    const elapsedMs = nowMs - this.#lastTickMs
    if (elapsedMs <= 0) return
    this.#receivedBps = (this.#bytesSinceTick * 8 * 1000) / elapsedMs
    this.#bytesSinceTick = 0
    this.#lastTickMs = nowMs
    this.delivery.tick(elapsedMs)
  }

  /**
   * The current sample: the sending side's delivery rate when the session sends, the receiving side's goodput
   * when it only receives, the larger when it does both. RTT, jitter and loss come from the streams' own
   * measurements when they have them (TCP_INFO), else from pings.
   */
  sample(nowMs: number, stats: StreamStats, rdma: boolean): PathSample {
    const sending = this.delivery.estimate
    const fromSender = sending.bandwidthBps > 0 && sending.bandwidthBps >= this.#receivedBps
    return {
      at: nowMs,
      rttMs: stats.rttMs ?? this.#srttMs ?? 0,
      bandwidthBps: Math.max(sending.bandwidthBps, this.#receivedBps),
      lossRate: stats.lossRate,
      jitterMs: stats.rttVarMs ?? this.#rttvarMs,
      rdma,
      appLimited: fromSender && sending.appLimited,
    }
  }
}
