/**
 * The `none` codec: the chunk travels as is, inside a verified frame. It is the fallback every peer supports
 * and the reference the other codecs are measured against.
 */
import {
  type Codec,
  type CodecComponents,
  type CodecFactory,
  type EncodedChunk,
  FrameCorruptError,
  FrameTooLargeError,
  InvalidArgumentError,
  isDwcpError,
} from '@dwcp/core'
import { encodeMetrics } from './encode-metrics.js'
import { decodeFrame, encodeFrame } from './frame.js'

/** Default bound on a chunk's size: 64 MiB, far above a page or block and far below a host's memory. */
export const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024 * 1024

/** Options of {@link noneCodec}. */
export interface NoneCodecInit {
  /**
   * Largest chunk, in bytes, the codec encodes, and the largest original size a frame may announce to
   * `decode`. Larger frames are refused with `DWCP_ERR_FRAME_TOO_LARGE` before anything is allocated.
   * @default DEFAULT_MAX_CHUNK_BYTES (64 MiB)
   */
  maxChunkBytes?: number
}

/**
 * The `none` codec in the two-step factory style: `noneCodec(init)(components)`.
 *
 * `encode` wraps the chunk in a frame with algorithm `none`; `decode` verifies the frame (magic, version, sizes,
 * CRC32C) and returns a copy of its payload, which must be exactly the announced original size. With `metrics`
 * wired, every encoded chunk adds its size to `dwcp_hde_bytes_original_total` and its frame size (header
 * included) to `dwcp_hde_bytes_compressed_total`, labelled `{ algorithm: 'none' }`, and sets
 * `dwcp_hde_compression_ratio` to this codec's running ratio of the two (just under 1: the header costs).
 *
 * @example
 * ```ts
 * import { silentLogger } from '@dwcp/core'
 * import { noneCodec } from '@dwcp/hde'
 *
 * const codec = noneCodec()({ logger: silentLogger() })
 * const encoded = await codec.encode(new Uint8Array([1, 2, 3]), { mode: 'datacenter' })
 * const chunk = await codec.decode(encoded.frame, { mode: 'datacenter' })
 * ```
 */
export function noneCodec(init: NoneCodecInit = {}): CodecFactory {
  const { maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES } = init
  if (!Number.isSafeInteger(maxChunkBytes) || maxChunkBytes < 0) {
    throw new InvalidArgumentError('maxChunkBytes', `${maxChunkBytes} is not a non-negative integer`)
  }
  return (components: CodecComponents): Codec => {
    const logger = components.logger.child({ component: 'hde', codec: 'none' })
    const recorded = encodeMetrics(components.metrics)

    return {
      name: 'none',

      async encode(chunk: Uint8Array): Promise<EncodedChunk> {
        if (chunk.length > maxChunkBytes) throw new FrameTooLargeError(chunk.length, maxChunkBytes)
        const frame = encodeFrame({ algorithm: 'none', originalBytes: chunk.length, payload: chunk })
        recorded.record('none', chunk.length, frame.length)
        return { frame, algorithm: 'none', originalBytes: chunk.length }
      },

      async decode(frame: Uint8Array): Promise<Uint8Array> {
        try {
          const decoded = decodeFrame(frame, { maxOriginalBytes: maxChunkBytes })
          if (decoded.algorithm !== 'none') {
            throw new FrameCorruptError(`the none codec cannot decode algorithm ${decoded.algorithm}`)
          }
          if (decoded.payload.length !== decoded.originalBytes) {
            throw new FrameCorruptError(
              `payload of ${decoded.payload.length} bytes, original size ${decoded.originalBytes}`,
            )
          }
          // A copy, also when the frame is a Buffer (whose slice() is a view).
          return new Uint8Array(decoded.payload)
        } catch (err) {
          if (isDwcpError(err)) logger.debug({ code: err.code, frameBytes: frame.length }, err.message)
          throw err
        }
      },
    }
  }
}
