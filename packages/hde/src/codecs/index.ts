/**
 * The compression codecs (`lz4`, `zstd`, `zstd-long`) and the bounded payload functions under them, which
 * delta encoding and adaptive selection reuse. The package index re-exports this module.
 */

export type { DecompressPayloadOptions } from './decompress-options.js'
export { type Lz4CodecInit, lz4Codec } from './lz4-codec.js'
export { lz4CompressPayload, lz4DecompressPayload, lz4MaxPayloadBytes } from './lz4-payload.js'
export { type ZstdCodecInit, zstdCodec } from './zstd-codec.js'
export {
  ZSTD_LONG_DEFAULT_LEVEL,
  ZSTD_LONG_DEFAULT_WINDOW_LOG,
  type ZstdLongCodecInit,
  zstdLongCodec,
} from './zstd-long-codec.js'
export {
  ZSTD_DEFAULT_LEVEL,
  ZSTD_DEFAULT_MAX_WINDOW_LOG,
  ZSTD_LEVEL_MAX,
  ZSTD_LEVEL_MIN,
  type ZstdCompressOptions,
  type ZstdDecompressOptions,
  zstdCompressPayload,
  zstdDecompressPayload,
  zstdMaxPayloadBytes,
} from './zstd-payload.js'
