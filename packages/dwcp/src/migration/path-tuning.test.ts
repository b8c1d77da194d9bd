import type { PathSample, Prediction, Session } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import type { DwcpNode } from '../node.js'
import type { MigrationCodecChoice } from './path-codec.js'
import {
  DEFAULT_PATH_TUNING,
  decidePathTuning,
  fastestRound,
  type PathForecast,
  PathTuner,
  pathForecast,
} from './path-tuning.js'

const DATACENTER: MigrationCodecChoice = { pathClass: 'datacenter', fullRound: 'raw', level: 1 }
const INTERNET: MigrationCodecChoice = { pathClass: 'internet', fullRound: 'frames', level: 3 }
const MiB = 1024 * 1024

function forecast(f: Partial<PathForecast>): PathForecast {
  return { source: 'prediction', bandwidthBps: null, rttMs: 50, lossRate: 0, ...f }
}

describe('path tuning decision', () => {
  it('leaves a datacenter path to its class: raw round 1, no pacing, the transport’s streams', () => {
    for (const f of [undefined, forecast({ rttMs: 0.2, bandwidthBps: 1e6 }), forecast({ rttMs: 0.2 })]) {
      expect(decidePathTuning(DATACENTER, f)).toMatchObject({
        codec: DATACENTER,
        pacingRateBps: 0,
        streams: undefined,
      })
    }
  })

  it('does nothing but the class codec on an internet path nothing measured yet', () => {
    expect(decidePathTuning(INTERNET, undefined)).toEqual({
      codec: INTERNET,
      pacingRateBps: 0,
      streams: undefined,
      forecast: undefined,
    })
  })

  it('paces an internet path at gain × the measured bandwidth, none when unmeasured', () => {
    expect(decidePathTuning(INTERNET, forecast({ bandwidthBps: 40e6 })).pacingRateBps).toBe(80e6)
    expect(decidePathTuning(INTERNET, forecast({ bandwidthBps: null })).pacingRateBps).toBe(0)
  })

  it('sizes streams from RTT and loss (Mathis), within 4–16', () => {
    // 100 ms and 1 % loss: one stream carries about 1.4 Mbit/s, far less than 2 × 40 Mbit/s → the maximum.
    expect(
      decidePathTuning(INTERNET, forecast({ rttMs: 100, lossRate: 0.01, bandwidthBps: 40e6 })).streams,
    ).toBe(16)
    // 20 ms, no loss: window-limited, 4 MiB / 20 ms ≈ 1.7 Gbit/s per stream → the minimum.
    expect(decidePathTuning(INTERNET, forecast({ rttMs: 20, bandwidthBps: 100e6 })).streams).toBe(4)
    // 100 ms, 0.01 % loss: about 14 Mbit/s per stream; 2 × 50 Mbit/s needs 8.
    const mathis = (1.22 * 1448 * 8) / (0.1 * Math.sqrt(1e-4))
    expect(
      decidePathTuning(INTERNET, forecast({ rttMs: 100, lossRate: 1e-4, bandwidthBps: 50e6 })).streams,
    ).toBe(Math.ceil(100e6 / mathis))
    // Unmeasured bandwidth: sized for the top of the internet range.
    expect(decidePathTuning(INTERNET, forecast({ rttMs: 100, lossRate: 1e-4 })).streams).toBe(16)
  })

  it('sends round 1 raw on an internet-class path measured faster than compression', () => {
    const fast = decidePathTuning(
      INTERNET,
      forecast({ rttMs: 5, bandwidthBps: DEFAULT_PATH_TUNING.rawAboveBps }),
    )
    expect(fast.codec).toEqual({ pathClass: 'internet', fullRound: 'raw', level: 1 })
    expect(decidePathTuning(INTERNET, forecast({ rttMs: 5, bandwidthBps: 1e9 })).codec).toEqual(INTERNET)
  })

  it('takes the fastest round long enough to measure more than latency', () => {
    expect(fastestRound([])).toBeNull()
    expect(fastestRound([{ wireBytes: 10 * MiB, transferMs: 10 }])).toBeNull() // too short
    expect(fastestRound([{ wireBytes: 1000, transferMs: 500 }])).toBeNull() // too small
    const rounds = [
      { wireBytes: 8 * MiB, transferMs: 1000 },
      { wireBytes: 1 * MiB, transferMs: 400 },
    ]
    expect(fastestRound(rounds)).toBe(8 * MiB * 8)
  })
})

function fakeNode(options: { prediction?: Partial<Prediction>; sample?: Partial<PathSample> }): DwcpNode {
  const sample: PathSample = {
    at: 0,
    rttMs: 0,
    bandwidthBps: 0,
    lossRate: 0,
    jitterMs: 0,
    rdma: false,
    ...options.sample,
  }
  return {
    mode: 'internet',
    // undefined: no samples of the path yet, as node.tryPredict answers then.
    tryPredict: () => {
      if (!options.prediction) return undefined
      return {
        bandwidthBps: 0,
        rttMs: 0,
        lossRate: 0,
        jitterMs: 0,
        confidence: 1,
        validUntil: 0,
        model: 'test',
        ...options.prediction,
      }
    },
    session: () => (options.sample ? { sample: () => sample } : undefined),
  } as unknown as DwcpNode
}

describe('path forecast', () => {
  it('prefers the prediction, then the latest sample, and lets a faster measured round replace the bandwidth', () => {
    expect(pathForecast(fakeNode({}), 'p')).toBeUndefined()
    expect(pathForecast(fakeNode({ sample: { rttMs: 0 } }), 'p')).toBeUndefined()
    expect(pathForecast(fakeNode({ sample: { rttMs: 80, lossRate: 0.02 } }), 'p')).toEqual({
      source: 'sample',
      bandwidthBps: null,
      rttMs: 80,
      lossRate: 0.02,
    })
    const predicted = fakeNode({ prediction: { rttMs: 60, bandwidthBps: 30e6 }, sample: { rttMs: 80 } })
    expect(pathForecast(predicted, 'p')).toMatchObject({
      source: 'prediction',
      bandwidthBps: 30e6,
      rttMs: 60,
    })
    const round = { wireBytes: 8 * MiB, transferMs: 1000 } // about 67 Mbit/s
    expect(pathForecast(predicted, 'p', [round])).toMatchObject({
      source: 'round',
      bandwidthBps: 8 * MiB * 8,
    })
    const slowRound = { wireBytes: MiB, transferMs: 1000 } // about 8 Mbit/s: a lower bound, below the forecast
    expect(pathForecast(predicted, 'p', [slowRound])).toMatchObject({
      source: 'prediction',
      bandwidthBps: 30e6,
    })
  })
})

function fakeSession(paced = true): Session & { pacingRateBps: number } {
  const s = {
    closed: false,
    streams: 4,
    pacingRateBps: 0,
    setPacingRate(rate: number) {
      s.pacingRateBps = rate
    },
  }
  if (!paced) delete (s as Partial<typeof s>).setPacingRate
  return s as unknown as Session & { pacingRateBps: number }
}

describe('path tuner', () => {
  const tuning = (pacingRateBps: number, streams?: number) => ({
    codec: INTERNET,
    pacingRateBps,
    streams,
    forecast: undefined,
  })

  it('raises streams but never lowers them, and restores pacing after the last migration on the session', () => {
    const session = fakeSession()
    session.pacingRateBps = 5e6 // set by someone else before
    const first = new PathTuner(session)
    const second = new PathTuner(session)
    expect(first.apply(tuning(80e6, 16))).toEqual({ pacingRateBps: 80e6, streams: 16 })
    expect(second.apply(tuning(60e6, 8))).toEqual({ pacingRateBps: 60e6, streams: 16 })
    expect(session.streams).toBe(16)
    first.release()
    expect(session.pacingRateBps).toBe(60e6) // the second still runs
    second.release()
    expect(session.pacingRateBps).toBe(5e6)
    expect(session.streams).toBe(16)
  })

  it('keeps the last pacing when a retune has no bandwidth, and leaves sessions without pacing alone', () => {
    const session = fakeSession()
    const tuner = new PathTuner(session)
    tuner.apply(tuning(80e6))
    expect(tuner.apply(tuning(0)).pacingRateBps).toBe(80e6)
    tuner.release()
    expect(session.pacingRateBps).toBe(0)
    const plain = fakeSession(false)
    expect(new PathTuner(plain).apply(tuning(80e6, 8))).toEqual({ pacingRateBps: 0, streams: 8 })
    expect(new PathTuner(undefined).apply(tuning(80e6, 8))).toEqual({ pacingRateBps: 0, streams: null })
  })
})
