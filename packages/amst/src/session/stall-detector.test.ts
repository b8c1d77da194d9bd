import { describe, expect, it } from 'vitest'
import { StallDetector } from './stall-detector.js'
import type { FrameStream } from './stream-provider.js'

describe('StallDetector', () => {
  it('waits at least 200 ms, or two round trips on a long path', () => {
    let rttMs: number | undefined
    const detector = new StallDetector(0, () => rttMs)
    expect(detector.stallMs).toBe(200)
    rttMs = 40
    expect(detector.stallMs).toBe(200)
    rttMs = 300
    expect(detector.stallMs).toBe(600)
  })

  it('counts from the last progress', () => {
    const detector = new StallDetector(1000, () => undefined)
    expect(detector.remainingMs(1100)).toBe(100)
    expect(detector.remainingMs(1250)).toBe(-50)
    detector.progressed(1250)
    expect(detector.remainingMs(1250)).toBe(200)
  })

  it('avoids a reclaimed stream for four stall periods', () => {
    const detector = new StallDetector(0, () => undefined)
    const stream: FrameStream = { write: async () => {} }
    expect(detector.avoided(stream, 0)).toBe(false)
    detector.reclaimed(stream, 1000)
    expect(detector.remainingMs(1000)).toBe(200)
    expect(detector.avoided(stream, 1799)).toBe(true)
    expect(detector.avoided(stream, 1800)).toBe(false)
  })
})
