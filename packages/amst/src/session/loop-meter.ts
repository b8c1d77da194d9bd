import type { Clock, TimerHandle } from '@dwcp/core'

/** How often the meter looks at the event loop while it is held. */
const TICK_MS = 10
/**
 * How late a tick may run and still count in full: a turn of the event loop that runs a little long (a sink
 * write, a decode, a Raft append) is ordinary work. Beyond it, the loop was blocked and the excess is not counted.
 */
const TICK_SLACK_MS = 10

/** The most one tick adds: an event loop that came back to the timer within this long was responsive. */
const TICK_CREDIT_MAX_MS = TICK_MS + TICK_SLACK_MS

/**
 * Measures the time this process's event loop was responsive: a timer due every 10 ms counts the time since its
 * last run, but never more than 20 ms at once, so that time the loop spent blocked (a synchronous file write,
 * hashing a whole image, a burst of decodes) does not count. While the loop is blocked no acknowledgement can
 * be read, whatever the streams do, so a sender measures how long its acknowledgements stood still in this
 * time rather than in wall time: a busy process is not mistaken for a stalled stream.
 *
 * The timer runs only while the meter is held (by transfers that are sending); in between the measure stands
 * still.
 */
export class LoopMeter {
  readonly #clock: Clock
  #holders = 0
  #timer: TimerHandle | undefined
  #lastTickMs = 0
  #responsiveMs = 0

  /** @param clock - the session's clock: the time the meter reads and the timer it ticks on */
  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Starts measuring, if no one else is; returns the function that lets go again (once). */
  hold(): () => void {
    if (this.#holders++ === 0) {
      this.#lastTickMs = this.#clock.now()
      this.#schedule()
    }
    let held = true
    return () => {
      if (!held) return
      held = false
      if (--this.#holders > 0) return
      this.#responsiveMs = this.responsiveMs(this.#clock.now())
      if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  /**
   * Milliseconds of responsive time up to `nowMs`, from an arbitrary origin: only differences mean something.
   * Never decreases, and grows no faster than the clock.
   */
  responsiveMs(nowMs: number): number {
    if (this.#timer === undefined) return this.#responsiveMs
    return this.#responsiveMs + credit(nowMs - this.#lastTickMs)
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => this.#tick(), TICK_MS)
  }

  #tick(): void {
    const nowMs = this.#clock.now()
    this.#responsiveMs += credit(nowMs - this.#lastTickMs)
    this.#lastTickMs = nowMs
    this.#schedule()
  }
}

/** What `elapsedMs` since the last tick counts as responsive time. */
function credit(elapsedMs: number): number {
  return Math.min(Math.max(0, elapsedMs), TICK_CREDIT_MAX_MS)
}
