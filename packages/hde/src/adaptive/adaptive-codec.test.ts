import { type Codec, type CodecContext, isDwcpError, METRIC_NAMES, silentLogger } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { encodeFrame, type FrameAlgorithm } from '../frame.js'
import { noneCodec } from '../none-codec.js'
import { type AdaptiveCandidate, adaptiveCodec } from './adaptive-codec.js'
import { classifyChunk } from './data-class.js'

/** A fake clock the fake codecs advance by their simulated encode time. */
function fakeTime() {
  let now = 0
  return { nowMs: () => now, spend: (ms: number) => (now += ms) }
}

/**
 * A codec with a known cost: `nsPerByte` of (fake) encode time and a size ratio that depends on how well the
 * chunk compresses (low entropy: `textRatio`; high entropy: 1).
 */
function fakeCodec(
  time: ReturnType<typeof fakeTime>,
  algorithm: FrameAlgorithm,
  nsPerByte: number,
  textRatio: number,
): Codec {
  return {
    name: algorithm,
    async encode(chunk) {
      time.spend((chunk.byteLength * nsPerByte) / 1e6)
      const ratio = classifyChunk(chunk).entropyBitsPerByte < 6 ? textRatio : 1
      const payload = new Uint8Array(Math.ceil(chunk.byteLength * ratio))
      const frame = encodeFrame({ algorithm, originalBytes: chunk.byteLength, payload })
      return { frame, algorithm, originalBytes: chunk.byteLength }
    },
    async decode() {
      throw new Error('not used')
    },
  }
}

function chunks(kind: 'text' | 'random', count: number, sizeBytes = 64 * 1024): Uint8Array[] {
  let seed = kind === 'text' ? 1 : 2
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed >>> 8
  }
  return Array.from({ length: count }, () => {
    const bytes = new Uint8Array(sizeBytes)
    for (let i = 0; i < sizeBytes; i++) bytes[i] = kind === 'text' ? 97 + (next() % 8) : next() & 255
    return bytes
  })
}

function setup(candidatesOf: (time: ReturnType<typeof fakeTime>) => AdaptiveCandidate[]) {
  const time = fakeTime()
  const metrics = memoryMetrics()
  /** Chunks for which the selector chose the candidate `name`. */
  const chosen = (name: string) => metrics.counterValue(METRIC_NAMES.hdeMlAlgorithmUsage, { algorithm: name })
  const codec = adaptiveCodec({ candidates: candidatesOf(time), nowMs: time.nowMs })({
    logger: silentLogger(),
    metrics,
  })
  return { codec, time, chosen, metrics }
}

/** lz4-like: fast, little gain. zstd-like: 20× slower, text shrinks to a tenth. */
const fastAndSmall = (time: ReturnType<typeof fakeTime>): AdaptiveCandidate[] => [
  { name: 'fast', algorithm: 'lz4', codec: fakeCodec(time, 'lz4', 0.5, 0.5) },
  { name: 'small', algorithm: 'zstd', codec: fakeCodec(time, 'zstd', 10, 0.1) },
]

describe('adaptiveCodec', () => {
  it('prefers the fast codec on a fast path and the small one on a slow path', async () => {
    for (const [bandwidthBps, expected] of [
      [40e9, 'fast'],
      [100e6, 'small'],
    ] as const) {
      const { codec, chosen, metrics } = setup(fastAndSmall)
      const context: CodecContext = { mode: 'internet', predictedBandwidthBps: bandwidthBps }
      let originalBytes = 0
      let frameBytes = 0
      for (const chunk of chunks('text', 200)) {
        originalBytes += chunk.byteLength
        frameBytes += (await codec.encode(chunk, context)).frame.byteLength
      }
      const other = expected === 'fast' ? 'small' : 'fast'
      expect(chosen(expected)).toBeGreaterThan(5 * chosen(other))
      expect(chosen(expected) + chosen(other)).toBe(200)
      // Its own ratio, over the frames it returned (the candidates' probes are not its output).
      expect(metrics.gaugeValue(METRIC_NAMES.hdeCompressionRatio, { algorithm: 'adaptive' })).toBeCloseTo(
        originalBytes / frameBytes,
        12,
      )
    }
  })

  it('learns per class: text and random chunks get different choices at 1 Gbit/s', async () => {
    const { codec } = setup(fastAndSmall)
    const context: CodecContext = { mode: 'datacenter', predictedBandwidthBps: 1e9 }
    const text = chunks('text', 100)
    const random = chunks('random', 100)
    for (let i = 0; i < 100; i++) {
      await codec.encode(text[i] as Uint8Array, context)
      await codec.encode(random[i] as Uint8Array, context)
    }
    const { classes } = codec.snapshot()
    const textClass = classifyChunk(text[0] as Uint8Array).name
    const randomClass = classifyChunk(random[0] as Uint8Array).name
    expect(textClass).not.toBe(randomClass)
    expect(classes[textClass]?.small?.sizeRatio).toBeLessThan(0.2)
    expect(classes[randomClass]?.small?.sizeRatio).toBeGreaterThan(0.99)
    expect(classes[randomClass]?.fast?.encodeNsPerByte).toBeCloseTo(0.5, 5)
  })

  it('delivers a mixed workload sooner, by its own cost model, than either fixed choice', async () => {
    const random = chunks('random', 150)
    const workload = chunks('text', 150).flatMap((t, i) => [t, random[i] as Uint8Array])
    const bandwidthBps = 1e9
    // Pipeline time of a run: max(total encode, total wire), from what each codec really produced.
    async function deliveryMs(pick: 'fast' | 'small' | 'adaptive'): Promise<number> {
      const time = fakeTime()
      const [fast, small] = fastAndSmall(time) as [AdaptiveCandidate, AdaptiveCandidate]
      const codec =
        pick === 'adaptive'
          ? adaptiveCodec({ candidates: [fast, small], nowMs: time.nowMs })({ logger: silentLogger() })
          : (pick === 'fast' ? fast : small).codec
      let wireMs = 0
      for (const chunk of workload) {
        const { frame } = await codec.encode(chunk, {
          mode: 'datacenter',
          predictedBandwidthBps: bandwidthBps,
        })
        wireMs += (frame.byteLength * 8 * 1000) / bandwidthBps
      }
      return Math.max(time.nowMs(), wireMs)
    }
    const adaptive = await deliveryMs('adaptive')
    expect(adaptive).toBeLessThan(await deliveryMs('fast'))
    expect(adaptive).toBeLessThan(await deliveryMs('small'))
  })

  it('probes contenders on a slice first, but never even probes twice a codec too slow for the path', async () => {
    const run = async (bandwidthBps: number) => {
      const time = fakeTime()
      const codec = adaptiveCodec({ candidates: fastAndSmall(time), nowMs: time.nowMs, exploreEvery: 10 })({
        logger: silentLogger(),
      })
      for (const chunk of chunks('text', 100))
        await codec.encode(chunk, { mode: 'internet', predictedBandwidthBps: bandwidthBps })
      const { classes, usage } = codec.snapshot()
      expect((usage.fast ?? 0) + (usage.small ?? 0)).toBe(100)
      return { estimates: Object.values(classes)[0] ?? {}, usage }
    }
    // Slow path: the small codec is sent on whole chunks, and its estimate rests on them.
    const slow = await run(100e6)
    expect(slow.usage.small).toBeGreaterThan(90)
    expect(slow.estimates.small?.samples).toBeGreaterThan(90)
    // Very fast path: once its speed is known, the slow codec's encode time alone loses; it is probed once only.
    const fast = await run(100e9)
    expect(fast.usage.small ?? 0).toBe(0)
    expect(fast.estimates.small?.samples).toBe(1)
  })

  it('decodes by the frame algorithm and refuses what no candidate decodes', async () => {
    const none = noneCodec()({ logger: silentLogger() })
    const codec = adaptiveCodec({ candidates: [{ name: 'none', algorithm: 'none', codec: none }] })({
      logger: silentLogger(),
    })
    const chunk = Uint8Array.from([1, 2, 3, 4, 5])
    const { frame } = await codec.encode(chunk, { mode: 'internet' })
    expect(await codec.decode(frame, { mode: 'internet' })).toEqual(chunk)
    const lz4Frame = encodeFrame({ algorithm: 'lz4', originalBytes: 1, payload: new Uint8Array(1) })
    for (const bad of [lz4Frame, Uint8Array.from([0, 1]), new Uint8Array(0)]) {
      const error = await codec.decode(bad, { mode: 'internet' }).catch((e: unknown) => e)
      expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    }
  })

  it('refuses an empty or ambiguous candidate list', () => {
    const none = noneCodec()({ logger: silentLogger() })
    for (const candidates of [
      [],
      [
        { name: 'a', algorithm: 'none' as const, codec: none },
        { name: 'a', algorithm: 'none' as const, codec: none },
      ],
    ]) {
      let error: unknown
      try {
        adaptiveCodec({ candidates })
      } catch (e) {
        error = e
      }
      expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})
