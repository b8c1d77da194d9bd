export { type DecodeBlockDeltaOptions, decodeBlockDelta } from './block-delta-decoder.js'
export { type BlockDeltaOptions, type BlockDeltaStats, encodeBlockDelta } from './block-delta-encoder.js'
export { BLOCK_DELTA_HEADER_BYTES, BLOCK_DELTA_MAGIC, BLOCK_DELTA_VERSION } from './block-delta-format.js'
