import { describe, expect, it } from 'vitest'
import { manualClock, systemClock } from './clock.js'

describe('manualClock', () => {
  it('fires timers in deadline order, ties in creation order, only when advanced', () => {
    const clock = manualClock(100)
    const fired: string[] = []
    clock.setTimeout(() => fired.push('b@20'), 20)
    clock.setTimeout(() => fired.push('a@10'), 10)
    clock.setTimeout(() => fired.push('c@20'), 20)
    const cancelled = clock.setTimeout(() => fired.push('never'), 5)
    clock.clearTimeout(cancelled)
    expect(clock.pendingTimers).toBe(3)
    clock.advance(15)
    expect(fired).toEqual(['a@10'])
    expect(clock.now()).toBe(115)
    clock.advance(10)
    expect(fired).toEqual(['a@10', 'b@20', 'c@20'])
    expect(clock.pendingTimers).toBe(0)
  })

  it('runs timers scheduled by timers, at their own deadline', () => {
    const clock = manualClock()
    const at: number[] = []
    clock.setTimeout(() => {
      at.push(clock.now())
      clock.setTimeout(() => at.push(clock.now()), 5)
    }, 5)
    clock.advance(100)
    expect(at).toEqual([5, 10])
    expect(clock.runNext()).toBe(false)
  })
})

describe('systemClock', () => {
  it('fires zero and positive delays and can cancel both', async () => {
    const clock = systemClock()
    const fired: string[] = []
    await new Promise<void>((resolve) => {
      clock.clearTimeout(clock.setTimeout(() => fired.push('cancelled'), 0))
      clock.clearTimeout(clock.setTimeout(() => fired.push('cancelled'), 1))
      clock.setTimeout(() => fired.push('immediate'), 0)
      clock.setTimeout(() => {
        fired.push('timeout')
        resolve()
      }, 2)
    })
    expect(fired).toEqual(['immediate', 'timeout'])
    expect(clock.now()).toBeGreaterThan(0)
  })
})
