/**
 * The `zstd-long` codec (the configuration's `zstd-max`): zstd at a high level with a long window and
 * long-distance matching, like `zstd --long=27 -19`. The internet mode's choice, where bytes on the wire cost
 * more than CPU: slow to encode (a few MB/s per core at level 19), as fast as any zstd to decode.
 */
import { type CodecComponents, type CodecFactory, InvalidArgumentError } from '@dwcp/core'
import { DEFAULT_MAX_CHUNK_BYTES } from '../none-codec.js'
import { checkMaxChunkBytes, createCompressionCodec } from './compression-codec.js'
import {
  checkZstdWindowLog,
  ZSTD_DEFAULT_MAX_WINDOW_LOG,
  ZSTD_LEVEL_MAX,
  zstdCompressPayload,
  zstdDecompressPayload,
  zstdMaxPayloadBytes,
} from './zstd-payload.js'

/** Default level of {@link zstdLongCodec}: zstd's highest level before the ultra levels. */
export const ZSTD_LONG_DEFAULT_LEVEL = 19
/** Default window of {@link zstdLongCodec}, as a power of two: 2^27 bytes (128 MiB), as `zstd --long=27`. */
export const ZSTD_LONG_DEFAULT_WINDOW_LOG = 27

/** Options of {@link zstdLongCodec}. */
export interface ZstdLongCodecInit {
  /**
   * zstd level, 1..22 (20–22 are the ultra levels); written in the frame's level byte.
   * @default ZSTD_LONG_DEFAULT_LEVEL (19)
   */
  level?: number
  /**
   * Compression window, as a power of two (10..31). zstd shrinks it to the chunk's size, which the payload
   * records, so it only matters for chunks larger than 2^windowLog bytes.
   * @default ZSTD_LONG_DEFAULT_WINDOW_LOG (27)
   */
  windowLog?: number
  /**
   * Largest chunk, in bytes, the codec encodes, and the largest original size a frame may announce to
   * `decode`. Larger frames are refused with `DWCP_ERR_FRAME_TOO_LARGE` before anything is allocated.
   * @default DEFAULT_MAX_CHUNK_BYTES (64 MiB)
   */
  maxChunkBytes?: number
  /**
   * Largest window, as a power of two, `decode` accepts; at least `windowLog`, so the codec reads its own
   * frames. It bounds decoder memory for payloads that do not record their content size (`zstd --long` reading
   * a pipe): those need a window buffer of up to 2^maxWindowLog bytes besides the output.
   * @default the larger of ZSTD_DEFAULT_MAX_WINDOW_LOG (27) and `windowLog`
   */
  maxWindowLog?: number
}

/**
 * The `zstd-long` codec in the two-step factory style: `zstdLongCodec(init)(components)`.
 *
 * `encode` writes a frame with algorithm `zstd-long` and the level in its level byte; the payload is one zstd
 * frame made with window `2^windowLog` and long-distance matching that `zstd -d --long=27` reads (plain
 * `zstd -d` too while the chunk is at most 128 MiB). Memory: encoding a large chunk at level 19 takes zstd's
 * tables for that level plus the long-distance matcher's, on the order of 100 MiB for a 64 MiB chunk and far
 * less for small ones (zstd sizes them to the input). Decoding one of this codec's payloads needs the output
 * (at most `maxChunkBytes`) and nothing window-sized, because the payload records its content size and zstd
 * then decodes straight into the output; a payload without a content size needs a window buffer of up to
 * 2^maxWindowLog bytes (128 MiB by default), and a larger window is refused as `DWCP_ERR_FRAME_CORRUPT`.
 * Decoding is otherwise bounded as in `zstdCodec`. With `metrics` wired, encoded chunks are counted in
 * `dwcp_hde_bytes_original_total` and (framed) `dwcp_hde_bytes_compressed_total`, labelled
 * `{ algorithm: 'zstd-long' }`, and
 * `dwcp_hde_compression_ratio` is set to this codec's running ratio of the two.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for a level, window or bound out of range
 *
 * @example
 * ```ts
 * import { silentLogger } from '@dwcp/core'
 * import { zstdLongCodec } from '@dwcp/hde'
 *
 * const codec = zstdLongCodec()({ logger: silentLogger() })
 * const { frame } = await codec.encode(new Uint8Array(65536).fill(1), { mode: 'internet' })
 * const block = await codec.decode(frame, { mode: 'internet' })
 * ```
 */
export function zstdLongCodec(init: ZstdLongCodecInit = {}): CodecFactory {
  const { level = ZSTD_LONG_DEFAULT_LEVEL, windowLog = ZSTD_LONG_DEFAULT_WINDOW_LOG } = init
  const { maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES } = init
  const { maxWindowLog = Math.max(ZSTD_DEFAULT_MAX_WINDOW_LOG, windowLog) } = init
  if (!Number.isInteger(level) || level < 1 || level > ZSTD_LEVEL_MAX) {
    throw new InvalidArgumentError('level', `${level} is not an integer in 1..${ZSTD_LEVEL_MAX}`)
  }
  checkZstdWindowLog('windowLog', windowLog)
  checkZstdWindowLog('maxWindowLog', maxWindowLog)
  if (maxWindowLog < windowLog) {
    throw new InvalidArgumentError('maxWindowLog', `${maxWindowLog} is below windowLog ${windowLog}`)
  }
  checkMaxChunkBytes(maxChunkBytes)
  const compressOptions = { level, windowLog, longDistanceMatching: true }
  return (components: CodecComponents) =>
    createCompressionCodec(
      {
        algorithm: 'zstd-long',
        level,
        maxChunkBytes,
        maxPayloadBytes: zstdMaxPayloadBytes(maxChunkBytes),
        compress: (chunk) => zstdCompressPayload(chunk, compressOptions),
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
