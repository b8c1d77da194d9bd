import type { Clock } from '@dwcp/core'

/**
 * A token bucket that paces bytes onto the wire: tokens accrue at `rateBps` bits per second up to `burstBytes`;
 * `take(n)` waits (on the injected clock) until n bytes' worth is available. Rate 0 means no pacing.
 */
export class TokenBucket {
  readonly #clock: Clock
  #rateBytesPerMs: number
  #burstBytes: number
  #tokens: number
  #updatedMs: number

  constructor(clock: Clock, rateBps: number, burstBytes: number) {
    this.#clock = clock
    this.#rateBytesPerMs = rateBps / 8 / 1000
    this.#burstBytes = burstBytes
    this.#tokens = burstBytes
    this.#updatedMs = clock.now()
  }

  /** The pacing rate in bits per second (0: unpaced). */
  get rateBps(): number {
    return this.#rateBytesPerMs * 8 * 1000
  }

  /** Changes the rate (from config or from the predictor); tokens already earned are kept. */
  setRate(rateBps: number, burstBytes = this.#burstBytes): void {
    this.#refill()
    this.#rateBytesPerMs = Math.max(0, rateBps) / 8 / 1000
    this.#burstBytes = burstBytes
    this.#tokens = Math.min(this.#tokens, burstBytes)
  }

  /** How long `bytes` would have to wait now, in ms (0 when they may go at once). */
  delayMs(bytes: number): number {
    if (this.#rateBytesPerMs === 0) return 0
    this.#refill()
    const missing = bytes - this.#tokens
    return missing <= 0 ? 0 : missing / this.#rateBytesPerMs
  }

  /** Waits until `bytes` may be sent and takes them. A request above the burst goes out alone once earned. */
  async take(bytes: number): Promise<void> {
    if (this.#rateBytesPerMs === 0) return
    for (
      let waitMs = this.delayMs(Math.min(bytes, this.#burstBytes));
      waitMs > 0;
      waitMs = this.delayMs(Math.min(bytes, this.#burstBytes))
    ) {
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, waitMs))
    }
    this.#tokens -= bytes
  }

  #refill(): void {
    const nowMs = this.#clock.now()
    this.#tokens = Math.min(this.#burstBytes, this.#tokens + (nowMs - this.#updatedMs) * this.#rateBytesPerMs)
    this.#updatedMs = nowMs
  }
}
