/**
 * What the `lz4`, `zstd` and `zstd-long` codecs share: bounds, the DWCP frame around the payload, the check
 * that a frame carries this codec's algorithm, metrics, and debug logs of rejected frames. Each codec supplies
 * only how a chunk becomes a payload and back.
 */
import {
  type Codec,
  type CodecComponents,
  type EncodedChunk,
  FrameCorruptError,
  FrameTooLargeError,
  isDwcpError,
} from '@dwcp/core'
import { encodeMetrics } from '../encode-metrics.js'
import { decodeFrame, encodeFrame, type FrameAlgorithm } from '../frame.js'
import { checkByteCount } from './decompress-options.js'

/** How one compression codec turns chunks into payloads and back. */
export interface CompressionCodecSpec {
  /** The frame algorithm this codec writes and the only one it decodes; also its name and metrics label. */
  algorithm: FrameAlgorithm
  /** Level written in the frame's level byte. */
  level: number
  /** Largest chunk encoded, and largest original size a frame may announce. */
  maxChunkBytes: number
  /** Largest payload a frame may carry: the worst-case compressed size of a `maxChunkBytes` chunk. */
  maxPayloadBytes: number
  /** Compresses a chunk into a payload. */
  compress(chunk: Uint8Array): Uint8Array
  /**
   * The same compression on a pool thread, for chunks of {@link OFF_THREAD_MIN_BYTES} or more: the event loop
   * goes on meanwhile, and a caller with several chunks in flight uses more than one core.
   */
  compressOffThread?(chunk: Uint8Array): Promise<Uint8Array>
  /** Decompresses a payload into exactly `originalBytes` bytes, or throws a typed frame error. */
  decompress(payload: Uint8Array, originalBytes: number): Uint8Array
}

/**
 * Smallest chunk compressed on a pool thread: below it the hop to the thread and back (tens of microseconds)
 * costs more than compressing on the event loop.
 */
export const OFF_THREAD_MIN_BYTES = 64 * 1024

/**
 * Checks a codec's `maxChunkBytes` option.
 *
 * @throws InvalidArgumentError when it is not a non-negative integer
 */
export function checkMaxChunkBytes(maxChunkBytes: number): void {
  checkByteCount('maxChunkBytes', maxChunkBytes)
}

/** Builds the `Codec` for `spec` with the given components. */
export function createCompressionCodec(spec: CompressionCodecSpec, components: CodecComponents): Codec {
  const { algorithm, level, maxChunkBytes, maxPayloadBytes } = spec
  const logger = components.logger.child({ component: 'hde', codec: algorithm })
  const recorded = encodeMetrics(components.metrics)

  return {
    name: algorithm,

    async encode(chunk: Uint8Array): Promise<EncodedChunk> {
      if (chunk.length > maxChunkBytes) throw new FrameTooLargeError(chunk.length, maxChunkBytes)
      const payload =
        spec.compressOffThread && chunk.length >= OFF_THREAD_MIN_BYTES
          ? await spec.compressOffThread(chunk)
          : spec.compress(chunk)
      const frame = encodeFrame({ algorithm, level, originalBytes: chunk.length, payload })
      recorded.record(algorithm, chunk.length, frame.length)
      return { frame, algorithm, originalBytes: chunk.length }
    },

    async decode(frame: Uint8Array): Promise<Uint8Array> {
      try {
        const decoded = decodeFrame(frame, { maxOriginalBytes: maxChunkBytes, maxPayloadBytes })
        if (decoded.algorithm !== algorithm) {
          throw new FrameCorruptError(`the ${algorithm} codec cannot decode algorithm ${decoded.algorithm}`)
        }
        // These algorithms compress a chunk on its own; a baseline would mean the sender meant something else.
        if (decoded.baselineId !== undefined) {
          throw new FrameCorruptError(`algorithm ${algorithm} takes no baseline, the frame names one`)
        }
        // The level byte only records how the payload was made: decoding does not depend on it.
        return spec.decompress(decoded.payload, decoded.originalBytes)
      } catch (err) {
        if (isDwcpError(err)) logger.debug({ code: err.code, frameBytes: frame.length }, err.message)
        throw err
      }
    },
  }
}
