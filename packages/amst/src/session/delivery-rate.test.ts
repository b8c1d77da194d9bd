import { describe, expect, it } from 'vitest'
import { DeliveryRateEstimator, type DeliveryRecord } from './delivery-rate.js'

const CHUNK_BYTES = 125_000 // bytes: at 100 Mbit/s, one chunk every 10 ms

/**
 * Drives an estimator the way a sender over a path of `rateBps` would: a chunk goes out whenever fewer than
 * `windowChunks` are unacknowledged (unless the application has nothing to send), and the path delivers one
 * chunk per serialisation time after `rttMs`. Time moves in 1 ms steps.
 */
class Path {
  readonly estimator: DeliveryRateEstimator
  nowMs = 0
  readonly #queue: Array<{ record: DeliveryRecord; dueMs: number }> = []
  #linkFreeMs = 0

  constructor(
    readonly rateBps: number,
    readonly rttMs: number,
    estimator = new DeliveryRateEstimator(0),
    startMs = 0,
  ) {
    this.estimator = estimator
    this.nowMs = startMs
  }

  /** Runs for `durationMs`, sending when `canSend(nowMs)` allows, ticking at every whole second. */
  run(durationMs: number, canSend: (nowMs: number, inFlight: number) => boolean): void {
    const serialisationMs = (CHUNK_BYTES * 8 * 1000) / this.rateBps
    for (const end = this.nowMs + durationMs; this.nowMs < end; ) {
      this.nowMs++
      while (this.#queue.length > 0 && (this.#queue[0]?.dueMs ?? Infinity) <= this.nowMs)
        this.estimator.acked([(this.#queue.shift() as { record: DeliveryRecord }).record], this.nowMs)
      while (canSend(this.nowMs, this.#queue.length)) {
        const record = this.estimator.sent(CHUNK_BYTES, this.nowMs)
        this.#linkFreeMs = Math.max(this.#linkFreeMs, this.nowMs) + serialisationMs
        this.#queue.push({ record, dueMs: this.#linkFreeMs + this.rttMs })
      }
      if (this.nowMs % 1000 === 0) this.estimator.tick()
    }
  }
}

const within = (actual: number, expected: number, fraction: number): void => {
  expect(actual).toBeGreaterThan(expected * (1 - fraction))
  expect(actual).toBeLessThan(expected * (1 + fraction))
}

describe('DeliveryRateEstimator', () => {
  it('measures the path rate of a sender that keeps its window full', () => {
    const path = new Path(100e6, 20)
    path.run(2000, (_now, inFlight) => inFlight < 8)
    within(path.estimator.estimate.bandwidthBps, 100e6, 0.05)
    expect(path.estimator.estimate.appLimited).toBe(false)
  })

  it('keeps the estimate through application-limited intervals, and marks them', () => {
    const path = new Path(100e6, 20)
    path.run(2000, (_now, inFlight) => inFlight < 8)
    const full = path.estimator.estimate.bandwidthBps
    // Now the application supplies one chunk every 50 ms: a fifth of the path.
    let nextMs = 0
    path.run(3000, (nowMs) => {
      if (nowMs < nextMs) {
        path.estimator.markAppLimited()
        return false
      }
      nextMs = nowMs + 50
      return true
    })
    expect(path.estimator.estimate).toEqual({ bandwidthBps: full, appLimited: true })
  })

  it('takes application-limited samples that beat the estimate', () => {
    const path = new Path(100e6, 20)
    // Only ever app-limited, a chunk every 20 ms: the estimate is what it saw, a lower bound of the path.
    let nextMs = 0
    path.run(2000, (nowMs) => {
      if (nowMs < nextMs) {
        path.estimator.markAppLimited()
        return false
      }
      nextMs = nowMs + 20
      return true
    })
    const slow = path.estimator.estimate
    expect(slow.appLimited).toBe(true)
    within(slow.bandwidthBps, 50e6, 0.2)
    // Then a burst of four chunks at once, still app-limited: faster samples raise it.
    let burst = 0
    path.run(1000, () => {
      path.estimator.markAppLimited()
      return burst++ % 40 < 4
    })
    expect(path.estimator.estimate.bandwidthBps).toBeGreaterThan(slow.bandwidthBps * 1.2)
  })

  it('follows the path down when samples at full load are lower', () => {
    const fast = new Path(100e6, 20)
    fast.run(2000, (_now, inFlight) => inFlight < 8)
    // Same estimator, now over a slower path (the bottleneck changed).
    const slow = new Path(25e6, 20, fast.estimator, fast.nowMs)
    slow.run(2000, (_now, inFlight) => inFlight < 8)
    within(fast.estimator.estimate.bandwidthBps, 25e6, 0.05)
    expect(fast.estimator.estimate.appLimited).toBe(false)
  })

  it('reports 0 for an interval without acknowledgements and keeps the estimate for later', () => {
    const path = new Path(100e6, 20)
    path.run(2000, (_now, inFlight) => inFlight < 8)
    const full = path.estimator.estimate.bandwidthBps
    const idle = () => {
      path.estimator.markAppLimited()
      return false
    }
    path.run(1000, idle) // the last flight is acknowledged
    path.run(1000, idle) // nothing at all
    expect(path.estimator.estimate).toEqual({ bandwidthBps: 0, appLimited: false })
    // A short app-limited burst afterwards (the first flight after a pause) does not lower it.
    let sent = 0
    path.run(1000, () => {
      path.estimator.markAppLimited()
      return sent++ < 2
    })
    expect(path.estimator.estimate).toEqual({ bandwidthBps: full, appLimited: true })
  })

  it('is not fooled by acknowledgements that arrive bunched up', () => {
    const estimator = new DeliveryRateEstimator(0, () => 10)
    // Ten chunks sent over 100 ms (a 100 Mbit/s sender), all acknowledged at once at 150 ms.
    const records = Array.from({ length: 10 }, (_, i) => estimator.sent(CHUNK_BYTES, i * 10))
    estimator.acked(records, 150)
    estimator.tick()
    // Delivered 10 chunks over max(send interval 90 ms, ack interval 150 ms): not 10 chunks in 0 ms.
    within(estimator.estimate.bandwidthBps, (10 * CHUNK_BYTES * 8 * 1000) / 150, 0.01)
  })

  it('ignores samples over intervals shorter than the minimum RTT', () => {
    const estimator = new DeliveryRateEstimator(0, () => 50)
    const record = estimator.sent(CHUNK_BYTES, 0)
    estimator.acked([record], 5)
    estimator.tick()
    // An acknowledgement came, but no trustworthy sample: nothing new to say.
    expect(estimator.estimate).toEqual({ bandwidthBps: 0, appLimited: false })
  })

  it('counts what untrustworthy samples delivered over the interval, as an application-limited lower bound', () => {
    // A sender waiting on its encoder: each chunk alone in flight, back sooner than the shortest ping.
    const estimator = new DeliveryRateEstimator(0, () => 50)
    for (let i = 0; i < 10; i++) {
      const record = estimator.sent(CHUNK_BYTES, i * 100)
      estimator.acked([record], i * 100 + 5)
    }
    estimator.tick(1000)
    const bytes = 10 * CHUNK_BYTES
    expect(estimator.estimate).toEqual({ bandwidthBps: (bytes * 8 * 1000) / 1000, appLimited: true })
    // Such a figure never lowers a measured estimate.
    const measured = new DeliveryRateEstimator(0, () => 50)
    const burst = Array.from({ length: 10 }, (_, i) => measured.sent(CHUNK_BYTES, i))
    measured.acked(burst, 60)
    measured.tick(1000)
    const before = measured.estimate.bandwidthBps
    expect(before).toBeGreaterThan((bytes * 8 * 1000) / 1000)
    measured.acked([measured.sent(CHUNK_BYTES, 2000)], 2005)
    measured.tick(1000)
    expect(measured.estimate).toEqual({ bandwidthBps: before, appLimited: true })
  })

  it('counts a chunk given up as no longer in flight, once', () => {
    const estimator = new DeliveryRateEstimator(0)
    const a = estimator.sent(1000, 0)
    estimator.sent(500, 0)
    expect(estimator.inFlightBytes).toBe(1500)
    estimator.lost(a)
    estimator.lost(a)
    expect(estimator.inFlightBytes).toBe(500)
  })
})
