import type { Clock, TimerHandle } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { LoopMeter } from './loop-meter.js'
import { StallDetector } from './stall-detector.js'

/**
 * A clock whose time the test sets and whose one pending timer the test runs: time can pass with the timer
 * held back, as it does while the event loop is blocked.
 */
function steppedClock(): Clock & { nowMs: number; pending: number; runTimer(): void } {
  let timer: { fn: () => void } | undefined
  let pending = 0
  const clock = {
    nowMs: 0,
    get pending() {
      return pending
    },
    now: () => clock.nowMs,
    setTimeout(fn: () => void) {
      timer = { fn }
      pending++
      return timer as unknown as TimerHandle
    },
    clearTimeout(handle: TimerHandle) {
      if ((handle as unknown) === timer) {
        timer = undefined
        pending--
      }
    },
    runTimer() {
      const due = timer
      timer = undefined
      pending--
      due?.fn()
    },
  }
  return clock
}

describe('LoopMeter', () => {
  it('counts the time the loop turned, and at most 20 ms of a turn that blocked it', () => {
    const clock = steppedClock()
    const meter = new LoopMeter(clock)
    const release = meter.hold()
    for (let i = 1; i <= 10; i++) {
      clock.nowMs = 10 * i
      clock.runTimer()
    }
    expect(meter.responsiveMs(100)).toBe(100)
    // A synchronous half second: the timer runs once, 490 ms late.
    clock.nowMs = 600
    expect(meter.responsiveMs(600)).toBe(120)
    clock.runTimer()
    expect(meter.responsiveMs(600)).toBe(120)
    clock.nowMs = 612
    clock.runTimer()
    expect(meter.responsiveMs(612)).toBe(132)
    release()
    release() // letting go twice counts once
    expect(clock.pending).toBe(0)
    // Not held: the measure stands still, and picks up from there once held again.
    expect(meter.responsiveMs(5000)).toBe(132)
    clock.nowMs = 5000
    const again = meter.hold()
    expect(meter.responsiveMs(5010)).toBe(142)
    again()
  })

  it('ticks while anyone holds it', () => {
    const clock = steppedClock()
    const meter = new LoopMeter(clock)
    const first = meter.hold()
    const second = meter.hold()
    expect(clock.pending).toBe(1)
    first()
    expect(clock.pending).toBe(1)
    second()
    expect(clock.pending).toBe(0)
  })
})

describe('StallDetector in responsive time', () => {
  it('does not count a blocked event loop as a stall, and counts a responsive one', () => {
    const clock = steppedClock()
    const meter = new LoopMeter(clock)
    const release = meter.hold()
    const detector = new StallDetector(
      0,
      () => undefined,
      (nowMs) => meter.responsiveMs(nowMs),
    )
    // One second of a blocked loop, then the turn that ends it: 20 ms of the 200 ms threshold are gone.
    clock.nowMs = 1000
    clock.runTimer()
    expect(detector.remainingMs(1000)).toBe(180)
    // 180 ms more of a loop that turns: the acknowledgement stood still long enough.
    for (let i = 1; i <= 18; i++) {
      clock.nowMs = 1000 + 10 * i
      clock.runTimer()
    }
    expect(detector.remainingMs(1180)).toBe(0)
    detector.progressed(1180)
    expect(detector.remainingMs(1180)).toBe(200)
    release()
  })
})
