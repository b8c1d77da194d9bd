/**
 * The `zstd` codec: the chunk compressed into one zstd frame at a chosen level, from the fast negative levels
 * (near LZ4 speed) through 19 and the ultra levels 20–22 (slow, best ratio).
 */
import type { CodecComponents, CodecFactory } from '@dwcp/core'
import { DEFAULT_MAX_CHUNK_BYTES } from '../none-codec.js'
import { checkMaxChunkBytes, createCompressionCodec } from './compression-codec.js'
import {
  checkZstdLevel,
  checkZstdWindowLog,
  ZSTD_DEFAULT_LEVEL,
  ZSTD_DEFAULT_MAX_WINDOW_LOG,
  zstdCompressPayload,
  zstdDecompressPayload,
  zstdMaxPayloadBytes,
} from './zstd-payload.js'

/** Options of {@link zstdCodec}. */
export interface ZstdCodecInit {
  /**
   * zstd level, -128..22 except 0; written in the frame's level byte.
   * @default ZSTD_DEFAULT_LEVEL (3)
   */
  level?: number
  /**
   * Largest chunk, in bytes, the codec encodes, and the largest original size a frame may announce to
   * `decode`. Larger frames are refused with `DWCP_ERR_FRAME_TOO_LARGE` before anything is allocated.
   * @default DEFAULT_MAX_CHUNK_BYTES (64 MiB)
   */
  maxChunkBytes?: number
  /**
   * Largest window, as a power of two, `decode` accepts in a payload that does not record its content size
   * (this codec always records it; the `zstd` CLI reading a pipe does not). Such a payload needs a window
   * buffer of up to 2^maxWindowLog bytes besides the output.
   * @default ZSTD_DEFAULT_MAX_WINDOW_LOG (27: 128 MiB)
   */
  maxWindowLog?: number
}

/**
 * The `zstd` codec in the two-step factory style: `zstdCodec({ level })(components)`.
 *
 * `encode` writes a frame with algorithm `zstd` and the level in its level byte; the payload is one zstd frame
 * that records the chunk's size and that `zstd -d` reads. `decode` verifies the frame and decodes the payload
 * with a bound: the payload's content size must equal the announced original size (checked before anything is
 * allocated), nothing past that size is ever written, and any zstd error is `DWCP_ERR_FRAME_CORRUPT` with
 * zstd's reason. With `metrics` wired, encoded chunks are counted in `dwcp_hde_bytes_original_total` and
 * (framed) `dwcp_hde_bytes_compressed_total`, labelled `{ algorithm: 'zstd' }`, and
 * `dwcp_hde_compression_ratio` is set to this codec's running ratio of the two.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for a level, bound or window out of range
 *
 * @example
 * ```ts
 * import { silentLogger } from '@dwcp/core'
 * import { zstdCodec } from '@dwcp/hde'
 *
 * const codec = zstdCodec({ level: 9 })({ logger: silentLogger() })
 * const { frame } = await codec.encode(new TextEncoder().encode('page '.repeat(800)), { mode: 'internet' })
 * const page = await codec.decode(frame, { mode: 'internet' })
 * ```
 */
export function zstdCodec(init: ZstdCodecInit = {}): CodecFactory {
  const { level = ZSTD_DEFAULT_LEVEL, maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES } = init
  const { maxWindowLog = ZSTD_DEFAULT_MAX_WINDOW_LOG } = init
  checkZstdLevel('level', level)
  checkMaxChunkBytes(maxChunkBytes)
  checkZstdWindowLog('maxWindowLog', maxWindowLog)
  return (components: CodecComponents) =>
    createCompressionCodec(
      {
        algorithm: 'zstd',
        level,
        maxChunkBytes,
        maxPayloadBytes: zstdMaxPayloadBytes(maxChunkBytes),
        compress: (chunk) => zstdCompressPayload(chunk, { level }),
        decompress: (payload, originalBytes) =>
          zstdDecompressPayload(payload, {
            maxOutputBytes: maxChunkBytes,
            expectedBytes: originalBytes,
            maxWindowLog,
          }),
      },
      components,
    )
}
