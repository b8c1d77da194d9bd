/**
 * Content-defined chunking (FastCDC) and deduplication: identical content crosses the wire once, later copies as
 * 51-byte `dedup-ref` frames. Re-exported by the package index.
 */

export {
  CDC_MAX_NORMALIZATION_LEVEL,
  CDC_MAX_SIZE_UPPER_BOUND_BYTES,
  CDC_MIN_SIZE_LOWER_BOUND_BYTES,
  type CdcOptions,
  type CdcParams,
  DEFAULT_CDC_AVERAGE_SIZE_BYTES,
  DEFAULT_CDC_MAX_SIZE_BYTES,
  DEFAULT_CDC_MIN_SIZE_BYTES,
  DEFAULT_CDC_NORMALIZATION_LEVEL,
  resolveCdcOptions,
} from './cdc-options.js'
export { type ByteSource, type CdcStreamOptions, cdcStream } from './cdc-stream.js'
export {
  type DedupDecodeOptions,
  type DedupDecoder,
  type DedupDecoderOptions,
  dedupDecoder,
} from './dedup-decoder.js'
export {
  type DedupEncodeOptions,
  type DedupEncoder,
  type DedupEncoderOptions,
  dedupEncoder,
} from './dedup-encoder.js'
export {
  DEFAULT_DEDUP_INDEX_MAX_BYTES,
  DEFAULT_DEDUP_INDEX_MAX_ENTRIES,
  DedupIndex,
  type DedupIndexInit,
  type DedupIndexOptions,
} from './dedup-index.js'
export { DEDUP_REF_FRAME_BYTES, type DedupRef, decodeDedupRef, encodeDedupRef } from './dedup-ref.js'
export type { DedupStats } from './dedup-stats.js'
export { cdcChunks, findCutPoint } from './fastcdc.js'
export { GEAR_SEED } from './gear.js'
export {
  decodeNoneLiteral,
  encodeNoneLiteral,
  type LiteralCodec,
  type LiteralDecoder,
  type LiteralEncoder,
  literalsFromCodec,
} from './literal-codec.js'
export { STRONG_HASH_BYTES, strongHash } from './strong-hash.js'
