import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { manualClock } from './clock.js'
import { isDwcpError } from './errors.js'
import type { PathSample } from './mode.js'
import {
  DEFAULT_MODE_THRESHOLDS,
  ModeDetector,
  type ModeTransition,
  type PathTransition,
} from './mode-detector.js'
import { seededRandom } from './random.js'

const datacenterPath: Omit<PathSample, 'at'> = {
  rttMs: 0.2,
  bandwidthBps: 2.5e10,
  lossRate: 0,
  jitterMs: 0.02,
  rdma: true,
}
const internetPath: Omit<PathSample, 'at'> = {
  rttMs: 80,
  bandwidthBps: 2e8,
  lossRate: 0.01,
  jitterMs: 5,
  rdma: false,
}

function setup(options: ConstructorParameters<typeof ModeDetector>[1] = {}) {
  const clock = manualClock()
  const detector = new ModeDetector(clock, { minDwellMs: 10_000, ...options })
  const transitions: ModeTransition[] = []
  const paths: PathTransition[] = []
  detector.on('transition', (t) => transitions.push(t))
  detector.on('path', (t) => paths.push(t))
  const feed = (peer: string, sample: Omit<PathSample, 'at'>, count = 1, stepMs = 1000): void => {
    for (let i = 0; i < count; i++) {
      clock.advance(stepMs)
      detector.observe(peer, { ...sample, at: clock.now() })
    }
  }
  return { clock, detector, transitions, paths, feed }
}

describe('ModeDetector classes', () => {
  it('reports the initial mode before any path is classified', () => {
    expect(new ModeDetector(manualClock()).mode).toBe('internet')
    expect(new ModeDetector(manualClock(), { initialMode: 'datacenter' }).mode).toBe('datacenter')
  })

  it('classifies a sub-millisecond, lossless, fast path as datacenter after the confirmation count', () => {
    const { detector, feed, transitions } = setup({ confirmSamples: 3 })
    feed('a', datacenterPath, 2)
    expect(detector.pathClass('a')).toBeUndefined()
    feed('a', datacenterPath, 1)
    expect(detector.pathClass('a')).toBe('datacenter')
    expect(detector.mode).toBe('datacenter')
    expect(transitions).toEqual([
      { from: 'internet', to: 'datacenter', atMs: 3000, cause: 'measured', peer: 'a' },
    ])
  })

  it('classifies a WAN path as internet', () => {
    const { detector, feed } = setup({ initialMode: 'datacenter' })
    feed('w', internetPath, 3)
    expect(detector.pathClass('w')).toBe('internet')
    expect(detector.mode).toBe('internet')
  })

  it('is hybrid with both kinds of peers, and leaves hybrid when a peer goes away', () => {
    const { detector, feed, transitions } = setup()
    feed('dc', datacenterPath, 3)
    feed('wan', internetPath, 3)
    expect(detector.mode).toBe('hybrid')
    detector.forget('wan')
    expect(detector.mode).toBe('datacenter')
    expect(transitions.map((t) => `${t.to}:${t.cause}`)).toEqual([
      'datacenter:measured',
      'hybrid:measured',
      'datacenter:peer-removed',
    ])
  })

  it('judges bandwidth only when it was measured', () => {
    const { detector, feed } = setup()
    feed('idle', { ...datacenterPath, bandwidthBps: 0 }, 3)
    expect(detector.pathClass('idle')).toBe('datacenter')
    const slow = setup()
    slow.feed('slow', { ...datacenterPath, bandwidthBps: 1e8 }, 3)
    expect(slow.detector.pathClass('slow')).toBe('internet')
  })

  it('judges RTT by the lowest of its window: queueing under load does not make a near peer far', () => {
    const { detector, feed } = setup({ rttWindowMs: 5000 })
    feed('p', datacenterPath, 3)
    expect(detector.pathClass('p')).toBe('datacenter')
    // Bulk traffic queues the pings: RTT samples of 40-60 ms, while the path itself is as near as before.
    for (let i = 0; i < 20; i++) {
      feed('p', { ...datacenterPath, rttMs: 40 + (i % 3) * 10 })
      if (i % 4 === 0) feed('p', datacenterPath)
    }
    expect(detector.pathClass('p')).toBe('datacenter')
    // A path that really moved away has no low sample left once the window has passed.
    feed('p', { ...datacenterPath, rttMs: 40 }, 10)
    expect(detector.pathClass('p')).toBe('internet')
  })

  it('lets an application-limited sample raise the bandwidth estimate, never lower it', () => {
    const { detector, feed } = setup()
    // A quiet datacenter link: the sender had little to send, so its delivery rate is low and marked.
    feed('quiet', { ...datacenterPath, bandwidthBps: 5e7, appLimited: true }, 3)
    expect(detector.pathClass('quiet')).toBe('datacenter')
    feed('quiet', { ...datacenterPath, bandwidthBps: 2e10 }, 3)
    feed('quiet', { ...datacenterPath, bandwidthBps: 1e7, appLimited: true }, 10)
    expect(detector.pathClass('quiet')).toBe('datacenter')
    // Measured (not application-limited) low rates still move it.
    const slow = setup()
    slow.feed('slow', { ...datacenterPath, bandwidthBps: 1e8, appLimited: false }, 3)
    expect(slow.detector.pathClass('slow')).toBe('internet')
  })

  it('rejects malformed samples and options with typed errors', () => {
    const { detector } = setup()
    const bad = [
      { rttMs: -1 },
      { lossRate: 2 },
      { bandwidthBps: Number.NaN },
      { rttMs: Number.POSITIVE_INFINITY },
    ]
    for (const patch of bad) {
      expect(() => detector.observe('x', { ...datacenterPath, at: 0, ...patch })).toThrow(
        expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
      )
    }
    for (const options of [
      { smoothing: 0 },
      { confirmSamples: 0 },
      { minDwellMs: -1 },
      { thresholds: { datacenterEnterRttMs: 3, datacenterExitRttMs: 2 } },
    ]) {
      let caught: unknown
      try {
        new ModeDetector(manualClock(), options)
      } catch (error) {
        caught = error
      }
      expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})

describe('ModeDetector hysteresis at the thresholds', () => {
  const t = DEFAULT_MODE_THRESHOLDS
  // smoothing 1 makes the smoothed value the sample itself, so the thresholds are tested exactly.
  // Every sample counts at once: no averaging, no confirmation, no dwell, no RTT window.
  const exact = { smoothing: 1, confirmSamples: 1, minDwellMs: 0, rttWindowMs: 0 }

  it('enters datacenter at the entry RTT, not above it', () => {
    const above = setup(exact)
    above.feed('p', { ...datacenterPath, rttMs: t.datacenterEnterRttMs + 0.001 })
    expect(above.detector.pathClass('p')).toBe('internet')
    const at = setup(exact)
    at.feed('p', { ...datacenterPath, rttMs: t.datacenterEnterRttMs })
    expect(at.detector.pathClass('p')).toBe('datacenter')
  })

  it('keeps datacenter anywhere inside the band and leaves only above the exit RTT', () => {
    const { detector, feed } = setup(exact)
    feed('p', datacenterPath)
    feed('p', { ...datacenterPath, rttMs: (t.datacenterEnterRttMs + t.datacenterExitRttMs) / 2 }, 5)
    feed('p', { ...datacenterPath, rttMs: t.datacenterExitRttMs }, 5)
    expect(detector.pathClass('p')).toBe('datacenter')
    feed('p', { ...datacenterPath, rttMs: t.datacenterExitRttMs + 0.001 })
    expect(detector.pathClass('p')).toBe('internet')
    // Back inside the band is not enough to return: it must get down to the entry threshold.
    feed('p', { ...datacenterPath, rttMs: t.datacenterExitRttMs - 0.1 }, 5)
    expect(detector.pathClass('p')).toBe('internet')
    feed('p', { ...datacenterPath, rttMs: t.datacenterEnterRttMs })
    expect(detector.pathClass('p')).toBe('datacenter')
  })

  it('applies the same band to loss and bandwidth', () => {
    const { detector, feed } = setup(exact)
    feed('p', datacenterPath)
    feed('p', { ...datacenterPath, lossRate: t.datacenterExitLossRate }, 3)
    feed('p', { ...datacenterPath, bandwidthBps: t.datacenterExitBandwidthBps }, 3)
    expect(detector.pathClass('p')).toBe('datacenter')
    feed('p', { ...datacenterPath, bandwidthBps: t.datacenterExitBandwidthBps - 1 })
    expect(detector.pathClass('p')).toBe('internet')
    feed('p', { ...datacenterPath, bandwidthBps: t.datacenterEnterBandwidthBps - 1 })
    expect(detector.pathClass('p')).toBe('internet')
  })

  it('needs the confirmation count of consecutive samples, and a lone outlier resets it', () => {
    const { detector, feed } = setup({ smoothing: 1, confirmSamples: 3, minDwellMs: 0 })
    feed('p', datacenterPath, 3)
    feed('p', internetPath, 2)
    feed('p', datacenterPath, 1)
    feed('p', internetPath, 2)
    expect(detector.pathClass('p')).toBe('datacenter')
    feed('p', internetPath, 1)
    expect(detector.pathClass('p')).toBe('internet')
  })
})

describe('ModeDetector minimum dwell', () => {
  it('holds a class for the dwell time even when the path clearly changed, then moves', () => {
    const { detector, feed, paths } = setup({ smoothing: 1, confirmSamples: 1, minDwellMs: 30_000 })
    feed('p', datacenterPath) // t = 1 s: first classification
    feed('p', internetPath, 28) // t = 29 s: still inside the dwell
    expect(detector.pathClass('p')).toBe('datacenter')
    feed('p', internetPath, 2) // t = 31 s
    expect(detector.pathClass('p')).toBe('internet')
    expect(paths.map((p) => [p.to, p.atMs])).toEqual([
      ['datacenter', 1000],
      ['internet', 31_000],
    ])
  })
})

describe('ModeDetector forced mode', () => {
  it('stays forced whatever is measured until released', () => {
    const { detector, feed, transitions } = setup()
    detector.force('datacenter')
    feed('w', internetPath, 50, 1000)
    expect(detector.mode).toBe('datacenter')
    expect(detector.measuredMode).toBe('internet')
    expect(detector.forced).toBe('datacenter')
    detector.release()
    expect(detector.mode).toBe('internet')
    expect(detector.forced).toBeUndefined()
    expect(transitions.map((t) => `${t.from}->${t.to}:${t.cause}`)).toEqual([
      'internet->datacenter:forced',
      'datacenter->internet:released',
    ])
    detector.release() // releasing twice is harmless
    expect(transitions.length).toBe(2)
  })

  it('forcing the mode it already has emits nothing', () => {
    const { detector, transitions } = setup({ initialMode: 'hybrid' })
    detector.force('hybrid')
    expect(transitions).toEqual([])
  })
})

describe('ModeDetector on noisy sequences', () => {
  it('does not flap on a recorded 3G throughput trace whose median sits on the threshold', () => {
    // Real per-second throughput (Norway HSDPA, see test-fixtures/README.md), rescaled so that its median is
    // exactly the datacenter entry bandwidth. RTT and loss are datacenter-like, so bandwidth alone decides.
    const rows = readFileSync(new URL('../test-fixtures/norway_bus_19.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[1]))
    const sorted = [...rows].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)] as number
    const bandwidths = rows.map(
      (mbps) => (mbps / median) * DEFAULT_MODE_THRESHOLDS.datacenterEnterBandwidthBps,
    )

    let naiveFlips = 0
    for (let i = 1; i < bandwidths.length; i++) {
      const before = (bandwidths[i - 1] as number) >= DEFAULT_MODE_THRESHOLDS.datacenterEnterBandwidthBps
      const after = (bandwidths[i] as number) >= DEFAULT_MODE_THRESHOLDS.datacenterEnterBandwidthBps
      if (before !== after) naiveFlips++
    }
    expect(naiveFlips).toBeGreaterThanOrEqual(40) // the sequence really is noisy at the threshold

    const clock = manualClock()
    const detector = new ModeDetector(clock) // defaults: smoothing, confirmation and a 120 s dwell
    const changes: PathTransition[] = []
    detector.on('path', (p) => changes.push(p))
    for (const bandwidthBps of bandwidths) {
      clock.advance(1000)
      detector.observe('bus', { ...datacenterPath, bandwidthBps, at: clock.now() })
    }
    const reclassifications = changes.filter((c) => c.from !== undefined)
    for (let i = 1; i < changes.length; i++)
      expect(
        (changes[i] as PathTransition).atMs - (changes[i - 1] as PathTransition).atMs,
      ).toBeGreaterThanOrEqual(120_000)
    // At most one change per dwell period over the trace's length, far from the naive flip count.
    expect(reclassifications.length).toBeLessThanOrEqual(Math.ceil((bandwidths.length * 1000) / 120_000))
  })

  it('does not flap on seeded RTT noise straddling the entry threshold', () => {
    const random = seededRandom(42)
    const { detector, feed, paths } = setup({ minDwellMs: 120_000 })
    for (let i = 0; i < 3600; i++) {
      // RTT uniformly in 0.6..1.6 ms: half the samples on each side of the 1 ms entry threshold.
      feed('p', { ...datacenterPath, rttMs: 0.6 + random.next() }, 1)
    }
    const reclassifications = paths.filter((p) => p.from !== undefined)
    expect(detector.pathClass('p')).toBeDefined()
    expect(reclassifications.length).toBeLessThanOrEqual(1)
  })
})
