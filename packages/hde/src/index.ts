/**
 * @packageDocumentation
 * Hierarchical delta encoding for DWCP: the self-describing codec frame (versioned header, algorithm, level,
 * baseline, sizes, CRC32C) and the codecs that fill it. This release holds the frame, CRC32C and the `none`
 * codec.
 *
 * @example
 * ```ts
 * import { silentLogger } from '@dwcp/core'
 * import { decodeFrame, noneCodec } from '@dwcp/hde'
 *
 * const codec = noneCodec({ maxChunkBytes: 1024 * 1024 })({ logger: silentLogger() })
 * const page = new Uint8Array(4096).fill(7)
 * const { frame } = await codec.encode(page, { mode: 'internet' })
 * const header = decodeFrame(frame, { maxOriginalBytes: 1024 * 1024 })
 * console.log(header.algorithm, header.originalBytes) // none 4096
 * const restored = await codec.decode(frame, { mode: 'internet' })
 * console.log(restored.length) // 4096
 * ```
 */

export {
  type AdaptiveCandidate,
  type AdaptiveCodec,
  type AdaptiveCodecInit,
  type AdaptiveSnapshot,
  adaptiveCodec,
  DEFAULT_BANDWIDTH_BPS,
} from './adaptive/adaptive-codec.js'
export {
  type AlgorithmEstimate,
  type DeliveryCost,
  DeliveryPipeline,
  predictCost,
} from './adaptive/cost-model.js'
export { type ChunkClass, classifyChunk } from './adaptive/data-class.js'
export * from './block-delta/index.js'
export { frameCrc32c } from './checksum.js'
export * from './chunk/index.js'
export * from './codecs/index.js'
export * from './dedup/index.js'
export * from './delta/index.js'
export {
  type DecodedFrame,
  type DecodeFrameOptions,
  decodeFrame,
  encodeFrame,
  FRAME_ALGORITHMS,
  FRAME_BASELINE_ID_MAX_BYTES,
  FRAME_HEADER_MIN_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION,
  type FrameAlgorithm,
  type FrameFields,
} from './frame.js'
export { DEFAULT_MAX_CHUNK_BYTES, type NoneCodecInit, noneCodec } from './none-codec.js'
export { decodeStream, encodeStream, rechunk, splitFrames } from './stream/frame-stream.js'
