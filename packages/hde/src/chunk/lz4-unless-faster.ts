/**
 * The datacenter's chunk codec: lz4 (the runbook's level 1: LZ4 has one speed), unless the path is measured
 * faster than lz4 encodes on the cores the encoder may use. Then lz4 would hold the link back, and the chunk goes
 * as it is. Only a measured forecast (`predictedBandwidthBps` in the context) can turn lz4 off: an unmeasured
 * path gets lz4.
 */
import type { Codec, CodecContext, EncodedChunk } from '@dwcp/core'

/** Smoothing of the measured lz4 speed (weight of the newest chunk). */
const SPEED_GAIN = 0.2
/** Chunks below this size say little about encode speed (timer resolution, per-call cost). */
const MIN_TIMED_BYTES = 16 * 1024

/** Options of {@link lz4UnlessFaster}. */
export interface Lz4UnlessFasterInit {
  /** The lz4 codec. */
  lz4: Codec
  /** The codec of chunks sent as they are (`none`). */
  none: Codec
  /** Clock for encode times, in ms (a fake in tests). @default performance.now */
  nowMs?: () => number
}

/** {@link lz4UnlessFaster}'s extra surface: what it has measured, for health and tests. */
export interface Lz4UnlessFasterCodec extends Codec {
  /** lz4's measured encode speed on one core, in bits of input per second (undefined before a timed chunk). */
  readonly lz4RateBps: number | undefined
}

/**
 * Chooses per chunk between lz4 and none: none when `predictedBandwidthBps` exceeds lz4's measured speed times
 * `cpuBudgetCores` (1 when absent), lz4 otherwise. Decoding goes to the codec the frame names.
 */
export function lz4UnlessFaster(init: Lz4UnlessFasterInit): Lz4UnlessFasterCodec {
  const { lz4, none } = init
  const nowMs = init.nowMs ?? (() => performance.now())
  let rateBps: number | undefined
  return {
    name: lz4.name,
    get lz4RateBps() {
      return rateBps
    },
    async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
      const pathBps = context.predictedBandwidthBps
      const cores = Math.max(1, context.cpuBudgetCores ?? 1)
      if (pathBps !== undefined && rateBps !== undefined && pathBps > rateBps * cores)
        return none.encode(chunk, context)
      const startedMs = nowMs()
      const encoded = await lz4.encode(chunk, context)
      const elapsedMs = nowMs() - startedMs
      if (chunk.byteLength >= MIN_TIMED_BYTES && elapsedMs > 0) {
        const sampleBps = (chunk.byteLength * 8 * 1000) / elapsedMs
        rateBps = rateBps === undefined ? sampleBps : rateBps + SPEED_GAIN * (sampleBps - rateBps)
      }
      return encoded
    },
    async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
      // Both codecs check the algorithm byte; lz4's frames are the usual case.
      return (frame[3] === 0 ? none : lz4).decode(frame, context)
    },
  }
}
