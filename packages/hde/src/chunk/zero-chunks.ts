/**
 * Zero chunks as a frame header alone: a VM image or disk is often a third zeros, and even lz4 spends about one
 * byte in 255 on a zero run, zstd a few dozen bytes per chunk. Every mode's codec goes through this wrapper, so a
 * zero chunk costs 19 bytes whatever the path.
 */
import {
  type Codec,
  type CodecContext,
  type EncodedChunk,
  FrameCorruptError,
  FrameTooLargeError,
  type Metrics,
} from '@dwcp/core'
import { isAllZero } from '../delta/delta-page.js'
import { encodeMetrics } from '../encode-metrics.js'
import { decodeFrame, encodeFrame, FRAME_ALGORITHMS } from '../frame.js'

const EMPTY = new Uint8Array(0)

/** Options of {@link zeroChunks}. */
export interface ZeroChunksInit {
  /** Largest zero chunk a frame may announce to `decode` (nothing larger is allocated). */
  maxChunkBytes: number
  /**
   * Counts zero chunks in `dwcp_hde_bytes_original_total` / `dwcp_hde_bytes_compressed_total` and sets their
   * `dwcp_hde_compression_ratio`, all labelled `{ algorithm: 'zero' }`.
   */
  metrics?: Metrics
}

/**
 * Wraps `inner` so that an all-zero chunk is sent as a `zero` frame (empty payload) and every other chunk as
 * `inner` encodes it; `decode` turns `zero` frames back into zeros and hands every other frame to `inner`.
 * The wrapper keeps `inner`'s name: a zero frame is part of every HDE decoder's vocabulary.
 */
export function zeroChunks(inner: Codec, init: ZeroChunksInit): Codec {
  const { maxChunkBytes, metrics } = init
  const recorded = encodeMetrics(metrics)
  return {
    name: inner.name,
    async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
      if (chunk.byteLength === 0 || !isAllZero(chunk)) return inner.encode(chunk, context)
      if (chunk.byteLength > maxChunkBytes) throw new FrameTooLargeError(chunk.byteLength, maxChunkBytes)
      const frame = encodeFrame({ algorithm: 'zero', originalBytes: chunk.byteLength, payload: EMPTY })
      recorded.record('zero', chunk.byteLength, frame.byteLength)
      return { frame, algorithm: 'zero', originalBytes: chunk.byteLength }
    },
    async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
      if (!isZeroFrame(frame)) return inner.decode(frame, context)
      return decodeZeroFrame(frame, maxChunkBytes)
    },
  }
}

/** Whether `frame` claims to be a `zero` frame (by its algorithm byte; {@link decodeZeroFrame} verifies it). */
export function isZeroFrame(frame: Uint8Array): boolean {
  return frame.byteLength > 3 && frame[3] === FRAME_ALGORITHMS.zero
}

/** Verifies a `zero` frame and returns its zeros; anything else about it is `DWCP_ERR_FRAME_CORRUPT`. */
export function decodeZeroFrame(frame: Uint8Array, maxChunkBytes: number): Uint8Array {
  const decoded = decodeFrame(frame, { maxOriginalBytes: maxChunkBytes })
  if (decoded.algorithm !== 'zero')
    throw new FrameCorruptError(`expected a zero frame, got ${decoded.algorithm}`)
  if (decoded.payload.byteLength !== 0)
    throw new FrameCorruptError(`zero frame carries a payload of ${decoded.payload.byteLength} bytes`)
  if (decoded.baselineId !== undefined) throw new FrameCorruptError('zero frame names a baseline')
  return new Uint8Array(decoded.originalBytes)
}
