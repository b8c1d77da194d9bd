/**
 * The datacenter's chunk codec: lz4 (the runbook's level 1: LZ4 has one speed), unless the path is measured
 * faster than lz4 encodes on the cores the encoder may use. Then lz4 would hold the link back, and the chunk goes
 * as it is. Only a measured forecast (`predictedBandwidthBps` in the context) can turn lz4 off: an unmeasured
 * path gets lz4.
 */
import type { Codec, CodecContext, EncodedChunk } from '@dwcp/core'

/** Chunks below this size say little about encode speed (timer resolution, per-call cost). */
const MIN_TIMED_BYTES = 16 * 1024
/** Busy time the speed is measured over; older work counts half each time this much more is measured. */
const SPEED_WINDOW_MS = 500
/** While chunks go as they are, every this many of them goes through lz4 anyway, to measure it again. */
const PROBE_EVERY = 16

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
  /**
   * lz4's measured encode speed, in bits of input per second (undefined before a timed chunk): bytes encoded over
   * the time at least one encode was running, so chunks encoded at once on pool threads count as the throughput
   * they reach together, not each one's wait.
   */
  readonly lz4RateBps: number | undefined
}

/**
 * Chooses per chunk between lz4 and none: none when `predictedBandwidthBps` exceeds lz4's measured speed times
 * `cpuBudgetCores` (1 when absent), lz4 otherwise (and one chunk in {@link PROBE_EVERY} through lz4 anyway, so
 * that its speed stays measured). Decoding goes to the codec the frame names.
 */
export function lz4UnlessFaster(init: Lz4UnlessFasterInit): Lz4UnlessFasterCodec {
  const { lz4, none } = init
  const nowMs = init.nowMs ?? (() => performance.now())
  let inFlight = 0
  let busySinceMs = 0
  let busyMs = 0
  let timedBytes = 0
  let skipped = 0
  const rate = (): number | undefined => {
    const elapsedMs = busyMs + (inFlight > 0 ? nowMs() - busySinceMs : 0)
    return timedBytes > 0 && elapsedMs > 0 ? (timedBytes * 8 * 1000) / elapsedMs : undefined
  }
  return {
    name: lz4.name,
    get lz4RateBps() {
      return rate()
    },
    async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
      const pathBps = context.predictedBandwidthBps
      const cores = Math.max(1, context.cpuBudgetCores ?? 1)
      const rateBps = rate()
      if (
        pathBps !== undefined &&
        rateBps !== undefined &&
        pathBps > rateBps * cores &&
        ++skipped % PROBE_EVERY
      )
        return none.encode(chunk, context)
      const timed = chunk.byteLength >= MIN_TIMED_BYTES
      if (timed && inFlight++ === 0) busySinceMs = nowMs()
      try {
        return await lz4.encode(chunk, context)
      } finally {
        if (timed) {
          timedBytes += chunk.byteLength
          if (--inFlight === 0) busyMs += nowMs() - busySinceMs
          if (busyMs > SPEED_WINDOW_MS) {
            busyMs /= 2
            timedBytes /= 2
          }
        }
      }
    },
    async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
      // Both codecs check the algorithm byte; lz4's frames are the usual case.
      return (frame[3] === 0 ? none : lz4).decode(frame, context)
    },
  }
}
