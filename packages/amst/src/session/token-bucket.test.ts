import { manualClock } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { TokenBucket } from './token-bucket.js'

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', async () => {
    const clock = manualClock()
    const bucket = new TokenBucket(clock, 8_000_000, 1000) // 1 MB/s = 1000 bytes per ms, burst 1000 bytes
    await bucket.take(1000) // the burst
    expect(bucket.delayMs(500)).toBe(0.5)
    let done = false
    const taking = bucket.take(500).then(() => {
      done = true
    })
    await Promise.resolve()
    expect(done).toBe(false)
    clock.advance(0.5)
    await taking
    expect(done).toBe(true)
    expect(bucket.delayMs(1)).toBeGreaterThan(0)
  })

  it('does not pace at rate 0 and can change rate', async () => {
    const clock = manualClock()
    const bucket = new TokenBucket(clock, 0, 1000)
    await bucket.take(10_000_000)
    expect(bucket.delayMs(10_000_000)).toBe(0)
    bucket.setRate(8000) // 1 byte per ms
    expect(bucket.rateBps).toBe(8000)
    expect(bucket.delayMs(2000)).toBeGreaterThan(0)
  })
})
