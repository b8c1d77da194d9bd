import { type Clock, InvalidArgumentError, type Session, type TimerHandle } from '@dwcp/core'

/** Options of {@link StreamTuner}. */
export interface StreamTunerOptions {
  /** Fewest streams. @default 1 */
  minStreams?: number
  /** Most streams (config `transport.streams`). @default 16 */
  maxStreams?: number
  /** Time between decisions: long enough for goodput at a new count to settle. @default 2000 */
  intervalMs?: number
  /** Relative goodput gain that justifies a step (below it, the count is kept). @default 0.05 */
  gainMin?: number
}

/** One decision of the tuner, for logs and tests. */
export interface TuningStep {
  atMs: number
  streams: number
  goodputBps: number
  next: number
}

/**
 * Tunes a session's stream count from measured goodput, hill-climbing: grow (doubling) while goodput grows by
 * more than `gainMin`, step back when it does not, then hold; a later drop in goodput at the held count starts
 * a new search. Goodput is the session's `sample().bandwidthBps` (0 while idle: an idle session is not tuned).
 */
export class StreamTuner {
  readonly #session: Session
  readonly #clock: Clock
  readonly #min: number
  readonly #max: number
  readonly #intervalMs: number
  readonly #gainMin: number
  readonly #history: TuningStep[] = []
  #timer: TimerHandle | undefined
  #previous: { streams: number; goodputBps: number } | undefined
  #direction: 1 | -1 | 0 = 1
  #heldGoodputBps = 0

  constructor(session: Session, clock: Clock, options: StreamTunerOptions = {}) {
    this.#session = session
    this.#clock = clock
    this.#min = options.minStreams ?? 1
    this.#max = options.maxStreams ?? 16
    this.#intervalMs = options.intervalMs ?? 2000
    this.#gainMin = options.gainMin ?? 0.05
    if (
      !Number.isInteger(this.#min) ||
      this.#min < 1 ||
      !Number.isInteger(this.#max) ||
      this.#max < this.#min
    )
      throw new InvalidArgumentError('streams', 'need 1 ≤ minStreams ≤ maxStreams')
  }

  /** Decisions so far (bounded to the last 100). */
  get history(): readonly TuningStep[] {
    return this.#history
  }

  /** Starts deciding every `intervalMs`. */
  start(): void {
    this.#schedule()
  }

  /** Stops; the stream count stays where it is. */
  stop(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** One decision from the current goodput (exposed so simulations can drive it). */
  step(): number {
    const streams = this.#session.streams
    const goodputBps = this.#session.sample().bandwidthBps
    let next = streams
    if (goodputBps > 0) next = this.#decide(streams, goodputBps)
    next = Math.max(this.#min, Math.min(this.#max, next))
    if (next !== streams) this.#session.streams = next
    this.#history.push({ atMs: this.#clock.now(), streams, goodputBps, next })
    if (this.#history.length > 100) this.#history.shift()
    return next
  }

  #decide(streams: number, goodputBps: number): number {
    const previous = this.#previous
    this.#previous = { streams, goodputBps }
    if (this.#direction === 0) {
      // Holding: a clear drop means the path changed; search again upwards.
      if (goodputBps < this.#heldGoodputBps * (1 - 2 * this.#gainMin)) {
        this.#direction = 1
        return streams * 2
      }
      this.#heldGoodputBps = Math.max(this.#heldGoodputBps * 0.9, goodputBps)
      return streams
    }
    if (!previous || previous.streams === streams)
      return this.#direction === 1 ? streams * 2 : Math.floor(streams / 2)
    const gained = goodputBps > previous.goodputBps * (1 + this.#gainMin)
    if (gained && streams < this.#max && streams > this.#min)
      return this.#direction === 1 ? streams * 2 : Math.floor(streams / 2)
    // No gain from the last step: go back to the better count and hold there.
    const better = gained ? streams : previous.streams
    this.#direction = 0
    this.#heldGoodputBps = Math.max(goodputBps, previous.goodputBps)
    return better
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.step()
      this.#schedule()
    }, this.#intervalMs)
  }
}
