import type { Clock, TimerHandle } from '@dwcp/core'

/**
 * The timers every protocol host needs: a tick at a fixed period, and ready work handled once per turn of the
 * event loop (a zero-delay timer), so that the messages and proposals of one turn share one round of work — one
 * durable write, one batch. Nothing runs before `start()` or after `stop()`.
 */
export class TickLoop {
  #tickTimer: TimerHandle | undefined
  #readyTimer: TimerHandle | undefined
  #running = false

  /**
   * @param clock - the injected clock (a manual one makes a cluster deterministic)
   * @param tickMs - period of `onTick`
   * @param onTick - advances the protocol's logical time; ready work is scheduled after it
   * @param onReady - handles the protocol's ready work
   */
  constructor(
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly onTick: () => void,
    private readonly onReady: () => void,
  ) {}

  /** Starts ticking. */
  start(): void {
    this.#running = true
    this.#scheduleTick()
  }

  /** Asks for ready work on the next turn (once, however often it is asked before then). */
  scheduleReady(): void {
    if (this.#readyTimer || !this.#running) return
    this.#readyTimer = this.clock.setTimeout(() => {
      this.#readyTimer = undefined
      this.onReady()
    }, 0)
  }

  /** Clears both timers. */
  stop(): void {
    this.#running = false
    if (this.#tickTimer) this.clock.clearTimeout(this.#tickTimer)
    if (this.#readyTimer) this.clock.clearTimeout(this.#readyTimer)
    this.#tickTimer = undefined
    this.#readyTimer = undefined
  }

  #scheduleTick(): void {
    this.#tickTimer = this.clock.setTimeout(() => {
      this.#tickTimer = undefined
      if (!this.#running) return
      this.onTick()
      this.scheduleReady()
      this.#scheduleTick()
    }, this.tickMs)
  }
}
