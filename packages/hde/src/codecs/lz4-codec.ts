/**
 * The `lz4` codec: the chunk compressed into one LZ4 frame. Fast on both sides (hundreds of MB/s per core),
 * with a modest ratio: the datacenter mode's choice, where the link is faster than a strong compressor.
 */
import type { CodecComponents, CodecFactory } from '@dwcp/core'
import { DEFAULT_MAX_CHUNK_BYTES } from '../none-codec.js'
import { checkMaxChunkBytes, createCompressionCodec } from './compression-codec.js'
import {
  lz4CompressPayload,
  lz4CompressPayloadOffThread,
  lz4DecompressPayload,
  lz4MaxPayloadBytes,
} from './lz4-payload.js'

/** Options of {@link lz4Codec}. */
export interface Lz4CodecInit {
  /**
   * Largest chunk, in bytes, the codec encodes, and the largest original size a frame may announce to
   * `decode`. Larger frames are refused with `DWCP_ERR_FRAME_TOO_LARGE` before anything is allocated.
   * @default DEFAULT_MAX_CHUNK_BYTES (64 MiB)
   */
  maxChunkBytes?: number
}

/**
 * The `lz4` codec in the two-step factory style: `lz4Codec(init)(components)`.
 *
 * `encode` writes a frame with algorithm `lz4` (level 0: LZ4 has none) whose payload is one LZ4 frame that
 * `lz4 -d` reads. `decode` verifies the frame, then decodes the payload with a bound: never more than the
 * announced original size is allocated or written, and any other decoded size, bad block or bad checksum is
 * `DWCP_ERR_FRAME_CORRUPT`. With `metrics` wired, encoded chunks are counted in
 * `dwcp_hde_bytes_original_total` and (framed) `dwcp_hde_bytes_compressed_total`, labelled
 * `{ algorithm: 'lz4' }`, and
 * `dwcp_hde_compression_ratio` is set to this codec's running ratio of the two.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) when `maxChunkBytes` is not a non-negative integer
 *
 * @example
 * ```ts
 * import { silentLogger } from '@dwcp/core'
 * import { lz4Codec } from '@dwcp/hde'
 *
 * const codec = lz4Codec()({ logger: silentLogger() })
 * const { frame } = await codec.encode(new Uint8Array(4096), { mode: 'datacenter' })
 * const page = await codec.decode(frame, { mode: 'datacenter' }) // 4096 zero bytes
 * ```
 */
export function lz4Codec(init: Lz4CodecInit = {}): CodecFactory {
  const { maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES } = init
  checkMaxChunkBytes(maxChunkBytes)
  return (components: CodecComponents) =>
    createCompressionCodec(
      {
        algorithm: 'lz4',
        level: 0,
        maxChunkBytes,
        maxPayloadBytes: lz4MaxPayloadBytes(maxChunkBytes),
        compress: lz4CompressPayload,
        compressOffThread: lz4CompressPayloadOffThread,
        decompress: (payload, originalBytes) =>
          lz4DecompressPayload(payload, { maxOutputBytes: maxChunkBytes, expectedBytes: originalBytes }),
      },
      components,
    )
}
