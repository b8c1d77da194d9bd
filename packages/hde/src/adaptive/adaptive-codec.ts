/**
 * The adaptive codec (`compression.ml_enabled`): for each chunk it picks, among configured candidate codecs, the
 * one that keeps delivery fastest. Encoding and sending overlap, so a run takes the slower of total encode time
 * (over the cores allowed) and total wire time at the predicted bandwidth; each chunk goes to the candidate with
 * the lowest weighted sum of the two, the weight following whichever total leads (see {@link DeliveryPipeline}).
 * Each candidate's speed and ratio are learnt online per class of chunk (sampled byte entropy): probe rounds
 * encode one sample of a chunk (64 KiB gathered from four places) with every candidate still worth trying, so
 * ratios are compared on the same bytes; whole chunks then calibrate the class (see {@link AdaptiveLearner}).
 * A class is probed on its first chunk and every `exploreEvery` chunks after, so that estimates follow the data.
 */
import {
  type Codec,
  type CodecComponents,
  type CodecContext,
  type EncodedChunk,
  FrameCorruptError,
  InvalidArgumentError,
  METRIC_NAMES,
  type Mode,
} from '@dwcp/core'
import { FRAME_ALGORITHMS, FRAME_MAGIC, type FrameAlgorithm } from '../frame.js'
import { type AlgorithmEstimate, DeliveryPipeline, predictCost } from './cost-model.js'
import { classifyChunk, DEFAULT_SAMPLE_BYTES } from './data-class.js'
import { AdaptiveLearner, type ProbeResult } from './learner.js'

/** One codec the adaptive codec may choose. */
export interface AdaptiveCandidate {
  /** Name counted in `dwcp_hde_ml_algorithm_usage` (e.g. `lz4`, `zstd-3`, `zstd-19-long`); unique. */
  name: string
  /** The frame algorithm its frames carry: frames are decoded by the first candidate with that algorithm. */
  algorithm: FrameAlgorithm
  /** The codec, already built with its components. */
  codec: Codec
}

/** Bandwidth assumed when the context carries no prediction, per mode (DESIGN.md §1's typical paths). */
export const DEFAULT_BANDWIDTH_BPS: Readonly<Record<Mode, number>> = Object.freeze({
  datacenter: 10e9,
  hybrid: 1e9,
  internet: 100e6,
})

/** Options of {@link adaptiveCodec}. */
export interface AdaptiveCodecInit {
  /** The candidates, in order of preference while nothing is known. At least one. */
  candidates: readonly AdaptiveCandidate[]
  /** Bytes sampled to classify a chunk. @default 4096 */
  sampleBytes?: number
  /** Every this many chunks of a class, the contenders are probed again (0: never). @default 16 */
  exploreEvery?: number
  /** Bytes of a chunk (from its middle) a candidate is probed on. @default 65536 */
  probeBytes?: number
  /** Clock for encode times, in ms (a fake in tests). @default performance.now */
  nowMs?: () => number
}

/** What the adaptive codec has learnt, per class and candidate (for `stats compression --detailed`). */
export interface AdaptiveSnapshot {
  /** Per class name, per candidate name. */
  classes: Record<string, Record<string, AlgorithmEstimate>>
  /** Chunks encoded with each candidate. */
  usage: Record<string, number>
}

/** The adaptive codec's extra surface beyond {@link Codec}. */
export interface AdaptiveCodec extends Codec {
  /** What has been learnt so far. */
  snapshot(): AdaptiveSnapshot
}

/**
 * The adaptive codec in the two-step factory style: `adaptiveCodec({ candidates })(components)`.
 *
 * @example
 * ```ts
 * const codec = adaptiveCodec({
 *   candidates: [
 *     { name: 'lz4', algorithm: 'lz4', codec: lz4Codec()(components) },
 *     { name: 'zstd-3', algorithm: 'zstd', codec: zstdCodec({ level: 3 })(components) },
 *   ],
 * })(components)
 * const { frame } = await codec.encode(chunk, { mode: 'internet', predictedBandwidthBps: 50e6 })
 * ```
 */
export function adaptiveCodec(init: AdaptiveCodecInit): (components: CodecComponents) => AdaptiveCodec {
  const { candidates, sampleBytes = DEFAULT_SAMPLE_BYTES, exploreEvery = 16, probeBytes = 65536 } = init
  const nowMs = init.nowMs ?? (() => performance.now())
  if (candidates.length === 0)
    throw new InvalidArgumentError('candidates', 'at least one candidate is needed')
  if (new Set(candidates.map((c) => c.name)).size !== candidates.length)
    throw new InvalidArgumentError('candidates', 'candidate names must be unique')
  if (!Number.isInteger(exploreEvery) || exploreEvery < 0)
    throw new InvalidArgumentError('exploreEvery', `${exploreEvery} is not a non-negative integer`)
  if (!Number.isInteger(probeBytes) || probeBytes < 1)
    throw new InvalidArgumentError('probeBytes', `${probeBytes} is not a positive integer`)
  const decoders = new Map<number, Codec>()
  for (const candidate of candidates) {
    const id = FRAME_ALGORITHMS[candidate.algorithm]
    if (id === undefined)
      throw new InvalidArgumentError('candidates', `unknown frame algorithm ${candidate.algorithm}`)
    if (!decoders.has(id)) decoders.set(id, candidate.codec)
  }

  return (components: CodecComponents): AdaptiveCodec => {
    const usage = components.metrics?.counter(METRIC_NAMES.hdeMlAlgorithmUsage)
    const ratioGauge = components.metrics?.gauge(METRIC_NAMES.hdeCompressionRatio)
    const learner = new AdaptiveLearner()
    const used = new Map<string, number>()
    // Undecayed totals: decaying them would let a slow codec look affordable again and again (a slack the real
    // totals do not have).
    const pipeline = new DeliveryPipeline(1)
    let originalTotal = 0
    let frameTotal = 0

    /** Encodes `bytes` with `candidate`; returns the frame and the encode time. */
    async function timedEncode(
      candidate: AdaptiveCandidate,
      bytes: Uint8Array,
      context: CodecContext,
    ): Promise<{ encoded: EncodedChunk; encodeMs: number; nsPerByte: number; ratio: number }> {
      const startedMs = nowMs()
      const encoded = await candidate.codec.encode(bytes, context)
      const encodeMs = Math.max(0, nowMs() - startedMs)
      const original = Math.max(1, bytes.byteLength)
      return {
        encoded,
        encodeMs,
        nsPerByte: (encodeMs * 1e6) / original,
        ratio: encoded.frame.byteLength / original,
      }
    }

    /** The candidate with the best predicted completion on the class, and its score. */
    function best(
      className: string,
      bytes: number,
      bandwidthBps: number,
      cores: number,
    ): { candidate: AdaptiveCandidate | undefined; score: number } {
      let chosen: AdaptiveCandidate | undefined
      let score = Number.POSITIVE_INFINITY
      for (const c of candidates) {
        const estimate = learner.estimate(className, c.name)
        if (!estimate) continue
        const s = pipeline.score(predictCost(estimate, bytes, bandwidthBps, cores))
        if (s < score) {
          chosen = c
          score = s
        }
      }
      return { candidate: chosen, score }
    }

    /**
     * Probes every candidate on one slice of `chunk` (on a class's first chunk and every `exploreEvery` chunks of
     * it), so that their ratios are compared on the same bytes. The first candidate (the anchor) is always probed;
     * any other whose encode time alone would already finish later than the best candidate so far is skipped: a
     * slow, strong codec is not even probed on a path too fast for it.
     */
    async function explore(
      className: string,
      chunk: Uint8Array,
      context: CodecContext,
      bandwidthBps: number,
      cores: number,
    ): Promise<void> {
      const probe = probeSlice(chunk, probeBytes)
      const results: ProbeResult[] = []
      for (const [index, c] of candidates.entries()) {
        let speed = learner.speedBoundNsPerByte(className, c.name)
        if (index > 0 && speed === undefined) {
          // Never measured anywhere: time it on a small slice first, so that a very slow codec costs little.
          speed = (await timedEncode(c, probe.subarray(0, SPEED_PROBE_BYTES), context)).nsPerByte
          learner.noteSpeed(c.name, speed)
        }
        if (index > 0 && speed !== undefined) {
          const encodeMs = (chunk.byteLength * speed) / 1e6 / Math.max(1, cores)
          const bound = pipeline.score({ encodeMs, wireMs: 0 })
          if (bound >= best(className, chunk.byteLength, bandwidthBps, cores).score) continue
        }
        const { nsPerByte, ratio } = await timedEncode(c, probe, context)
        results.push({ name: c.name, nsPerByte, ratio })
      }
      learner.observeProbes(className, results)
    }

    return {
      name: 'adaptive',

      async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
        const bandwidthBps = context.predictedBandwidthBps ?? DEFAULT_BANDWIDTH_BPS[context.mode]
        const cores = context.cpuBudgetCores ?? 1
        const chunkClass = classifyChunk(chunk, sampleBytes).name
        const chunkNumber = learner.nextChunk(chunkClass)
        if (chunkNumber === 1 || (exploreEvery > 0 && chunkNumber % exploreEvery === 0))
          await explore(chunkClass, chunk, context, bandwidthBps, cores)
        const candidate =
          best(chunkClass, chunk.byteLength, bandwidthBps, cores).candidate ??
          (candidates[0] as AdaptiveCandidate)
        const { encoded, encodeMs, nsPerByte, ratio } = await timedEncode(candidate, chunk, context)
        learner.observeWhole(chunkClass, candidate.name, nsPerByte, ratio)
        pipeline.add({
          encodeMs: encodeMs / Math.max(1, cores),
          wireMs: (encoded.frame.byteLength * 8 * 1000) / bandwidthBps,
        })
        used.set(candidate.name, (used.get(candidate.name) ?? 0) + 1)
        originalTotal += chunk.byteLength
        frameTotal += encoded.frame.byteLength
        usage?.inc({ algorithm: candidate.name })
        if (frameTotal > 0) ratioGauge?.set(originalTotal / frameTotal, { algorithm: 'adaptive' })
        return encoded
      },

      async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
        if (frame.byteLength < 4 || ((frame[0] as number) << 8) + (frame[1] as number) !== FRAME_MAGIC)
          throw new FrameCorruptError('not an HDE frame')
        const codec = decoders.get(frame[3] as number)
        if (!codec) throw new FrameCorruptError(`no candidate decodes algorithm id ${frame[3]}`)
        return codec.decode(frame, context)
      },

      snapshot(): AdaptiveSnapshot {
        return {
          classes: learner.snapshot(candidates.map((c) => c.name)),
          usage: Object.fromEntries(used),
        }
      },
    }
  }
}

/** Bytes a codec never measured before is first timed on, before it is probed in full. */
const SPEED_PROBE_BYTES = 4096

/** Pieces a probe is gathered from: one slice of a chunk can be unlike the rest (a compressed file in an image). */
const PROBE_PIECES = 4

/**
 * `probeBytes` of `chunk` for probing: the whole chunk if it is small enough, else `PROBE_PIECES` equal pieces
 * from the middles of equal parts of it, copied together.
 */
export function probeSlice(chunk: Uint8Array, probeBytes: number): Uint8Array {
  if (chunk.byteLength <= probeBytes) return chunk
  const pieceBytes = Math.floor(probeBytes / PROBE_PIECES)
  const partBytes = Math.floor(chunk.byteLength / PROBE_PIECES)
  const probe = new Uint8Array(pieceBytes * PROBE_PIECES)
  for (let piece = 0; piece < PROBE_PIECES; piece++) {
    const start = piece * partBytes + Math.floor((partBytes - pieceBytes) / 2)
    probe.set(chunk.subarray(start, start + pieceBytes), piece * pieceBytes)
  }
  return probe
}
