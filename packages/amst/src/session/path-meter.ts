import type { PathSample } from '@dwcp/core'

/**
 * Turns ping round trips and delivered bytes into a {@link PathSample}: RTT and its variation as TCP smooths
 * them (RFC 6298 gains), goodput over the last measurement interval.
 */
export class PathMeter {
  #srttMs: number | undefined
  #rttvarMs = 0
  #bytesSinceTick = 0
  #lastTickMs: number
  #bandwidthBps = 0

  constructor(nowMs: number) {
    this.#lastTickMs = nowMs
  }

  /** The smoothed RTT, undefined before the first round trip. */
  get srttMs(): number | undefined {
    return this.#srttMs
  }

  /** Records one round trip. */
  onRtt(rttMs: number): void {
    if (this.#srttMs === undefined) {
      this.#srttMs = rttMs
      this.#rttvarMs = rttMs / 2
      return
    }
    this.#rttvarMs = 0.75 * this.#rttvarMs + 0.25 * Math.abs(this.#srttMs - rttMs)
    this.#srttMs = 0.875 * this.#srttMs + 0.125 * rttMs
  }

  /** Records bytes delivered (acknowledged to us, or received by us). */
  onDelivered(bytes: number): void {
    this.#bytesSinceTick += bytes
  }

  /** Closes a measurement interval: goodput is the interval's bytes over its length (0 when idle). */
  tick(nowMs: number): void {
    const elapsedMs = nowMs - this.#lastTickMs
    if (elapsedMs <= 0) return
    this.#bandwidthBps = (this.#bytesSinceTick * 8 * 1000) / elapsedMs
    this.#bytesSinceTick = 0
    this.#lastTickMs = nowMs
  }

  /** The current sample. */
  sample(nowMs: number, lossRate: number, rdma: boolean): PathSample {
    return {
      at: nowMs,
      rttMs: this.#srttMs ?? 0,
      bandwidthBps: this.#bandwidthBps,
      lossRate,
      jitterMs: this.#rttvarMs,
      rdma,
    }
  }
}
