/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Marker so handles are not confused with numbers. */
  readonly __timer: true
}

/**
 * Time, injected everywhere. Protocol code never calls `Date.now()` or `setTimeout` directly, so that a
 * simulation can drive it deterministically.
 */
export interface Clock {
  /** Milliseconds since an arbitrary, fixed origin. Monotonic. */
  now(): number
  /** Calls `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle
  /** Cancels a timer; a no-op for a timer that already fired. */
  clearTimeout(handle: TimerHandle): void
}

/**
 * The real clock: `performance.now()` and Node's timers. Timers keep the process alive like any pending I/O;
 * every component clears its timers in `stop()`/`close()`, which the lifecycle tests check.
 */
export function systemClock(): Clock {
  return {
    now: () => performance.now(),
    setTimeout(fn, delayMs) {
      // A zero delay runs on the next turn of the event loop (setImmediate) rather than after Node's 1 ms
      // minimum timeout: in-memory links deliver with zero latency thousands of times per transfer.
      if (delayMs <= 0) {
        const immediate = setImmediate(fn)
        return { __timer: true, immediate } as unknown as TimerHandle
      }
      const timeout = setTimeout(fn, delayMs)
      return { __timer: true, timeout } as unknown as TimerHandle
    },
    clearTimeout(handle) {
      const h = handle as unknown as { immediate?: NodeJS.Immediate; timeout?: NodeJS.Timeout }
      if (h.immediate) clearImmediate(h.immediate)
      if (h.timeout) clearTimeout(h.timeout)
    },
  }
}

/** A clock that only moves when told to: for tests and the deterministic simulator. */
export interface ManualClock extends Clock {
  /** Moves time forward by `deltaMs`, firing due timers in deadline order (ties in creation order). */
  advance(deltaMs: number): void
  /** Moves time forward to the next pending timer and fires it; returns false when none is pending. */
  runNext(): boolean
  /** Number of timers not yet fired or cleared. */
  readonly pendingTimers: number
}

interface ManualTimer extends TimerHandle {
  dueAt: number
  seq: number
  fn: () => void
  cancelled: boolean
}

/** Creates a {@link ManualClock} starting at `startMs`. */
export function manualClock(startMs = 0): ManualClock {
  let nowMs = startMs
  let seq = 0
  let timers: ManualTimer[] = []

  const popDue = (limitMs: number): ManualTimer | undefined => {
    let best: ManualTimer | undefined
    for (const t of timers) {
      if (t.cancelled || t.dueAt > limitMs) continue
      if (!best || t.dueAt < best.dueAt || (t.dueAt === best.dueAt && t.seq < best.seq)) best = t
    }
    if (best) timers = timers.filter((t) => t !== best)
    return best
  }

  return {
    now: () => nowMs,
    setTimeout(fn, delayMs) {
      const timer: ManualTimer = {
        __timer: true,
        dueAt: nowMs + Math.max(0, delayMs),
        seq: seq++,
        fn,
        cancelled: false,
      }
      timers.push(timer)
      return timer
    },
    clearTimeout(handle) {
      const timer = handle as ManualTimer
      timer.cancelled = true
      timers = timers.filter((t) => t !== timer)
    },
    advance(deltaMs) {
      const target = nowMs + deltaMs
      for (let t = popDue(target); t; t = popDue(target)) {
        nowMs = Math.max(nowMs, t.dueAt)
        t.fn()
      }
      nowMs = target
    },
    runNext() {
      const t = popDue(Number.POSITIVE_INFINITY)
      if (!t) return false
      nowMs = Math.max(nowMs, t.dueAt)
      t.fn()
      return true
    },
    get pendingTimers() {
      return timers.length
    },
  }
}
