import { manualClock } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { TickLoop } from './tick-loop.js'

describe('TickLoop', () => {
  it('ticks at its period, coalesces ready requests into one per turn, and stops both timers', () => {
    const clock = manualClock()
    let ticks = 0
    let readies = 0
    const loop = new TickLoop(
      clock,
      10,
      () => ticks++,
      () => readies++,
    )
    loop.scheduleReady()
    clock.advance(0)
    expect(readies).toBe(0) // nothing before start
    loop.start()
    loop.scheduleReady()
    loop.scheduleReady()
    clock.advance(0)
    expect(readies).toBe(1)
    clock.advance(30)
    expect(ticks).toBe(3)
    expect(readies).toBe(4) // one ready after each tick
    loop.stop()
    expect(clock.pendingTimers).toBe(0)
    clock.advance(100)
    expect(ticks).toBe(3)
  })
})
