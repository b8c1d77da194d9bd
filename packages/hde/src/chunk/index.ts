/** Whole chunks of a transfer: zero chunks as a bare header, and one decoder for every chunk frame. */
export { type ChunkDecoderInit, chunkDecoder } from './chunk-decoder.js'
export {
  type Lz4UnlessFasterCodec,
  type Lz4UnlessFasterInit,
  lz4UnlessFaster,
} from './lz4-unless-faster.js'
export { decodeZeroFrame, isZeroFrame, type ZeroChunksInit, zeroChunks } from './zero-chunks.js'
