/**
 * How a dedup encoder frames a chunk the peer does not hold, and how the decoder reads it back. The default sends
 * the chunk as is in a `none` frame; a compressing codec plugs in through {@link literalsFromCodec} or through
 * any pair of functions that honour the same contract.
 */
import { type Codec, type CodecContext, FrameCorruptError } from '@dwcp/core'
import { decodeFrame, encodeFrame } from '../frame.js'

/** Turns a chunk into one self-describing frame. May be async (a native compressor). */
export type LiteralEncoder = (chunk: Uint8Array) => Uint8Array | Promise<Uint8Array>

/**
 * Turns one frame back into its chunk, or throws a typed `@dwcp/core` error (`DWCP_ERR_FRAME_CORRUPT`,
 * `DWCP_ERR_FRAME_TOO_LARGE`) for a frame it cannot decode. It must never return bytes longer than `maxChunkBytes`.
 */
export type LiteralDecoder = (frame: Uint8Array, maxChunkBytes: number) => Uint8Array | Promise<Uint8Array>

/** The default literal encoder: the chunk as the payload of a `none` frame. */
export function encodeNoneLiteral(chunk: Uint8Array): Uint8Array {
  return encodeFrame({ algorithm: 'none', originalBytes: chunk.length, payload: chunk })
}

/**
 * The default literal decoder: a verified `none` frame whose payload is exactly its original size, returned as a
 * copy so that the frame's buffer may be reused.
 *
 * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`) for a malformed frame or one of another algorithm
 * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`) for a frame announcing more than `maxChunkBytes`
 */
export function decodeNoneLiteral(frame: Uint8Array, maxChunkBytes: number): Uint8Array {
  const decoded = decodeFrame(frame, { maxOriginalBytes: maxChunkBytes })
  if (decoded.algorithm !== 'none') {
    throw new FrameCorruptError(`expected a none literal, found algorithm ${decoded.algorithm}`)
  }
  if (decoded.payload.length !== decoded.originalBytes) {
    throw new FrameCorruptError(
      `payload of ${decoded.payload.length} bytes, original size ${decoded.originalBytes}`,
    )
  }
  // Copied through the constructor: when the frame is a Node.js Buffer, slice() would return a view of it.
  return new Uint8Array(decoded.payload)
}

/** A literal encoder and decoder that agree with each other. */
export interface LiteralCodec {
  /** Frames a chunk the peer does not hold. */
  encodeLiteral: LiteralEncoder
  /** Reads such a frame back. */
  decodeLiteral: LiteralDecoder
}

/**
 * Adapts any `Codec` (lz4, zstd, an adaptive selector…) to frame dedup literals. The codec's own bound applies
 * on decode; the dedup decoder additionally checks the decoded chunk against its `maxChunkBytes`. The codec must
 * not emit `dedup-ref` frames.
 *
 * @example
 * ```ts
 * const literals = literalsFromCodec(noneCodec()({ logger: silentLogger() }), { mode: 'internet' })
 * const encoder = dedupEncoder({ encodeLiteral: literals.encodeLiteral })
 * const decoder = dedupDecoder({ decodeLiteral: literals.decodeLiteral })
 * ```
 */
export function literalsFromCodec(codec: Codec, context: CodecContext): LiteralCodec {
  return {
    encodeLiteral: async (chunk) => (await codec.encode(chunk, context)).frame,
    decodeLiteral: (frame) => codec.decode(frame, context),
  }
}
