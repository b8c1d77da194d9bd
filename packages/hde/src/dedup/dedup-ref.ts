/**
 * The `dedup-ref` frame: a chunk the receiver already holds, named by its strong hash. It is an ordinary HDE
 * frame (algorithm id 8, level 0, no baseline) whose original size is the chunk's size and whose payload is
 * exactly the 32-byte SHA-256 of the chunk.
 */
import { FrameCorruptError, InvalidArgumentError } from '@dwcp/core'
import { decodeFrame, encodeFrame, FRAME_ALGORITHMS, FRAME_HEADER_MIN_BYTES } from '../frame.js'
import { STRONG_HASH_BYTES } from './strong-hash.js'

/** Size of a `dedup-ref` frame on the wire, in bytes: the 19-byte header and the 32-byte hash. */
export const DEDUP_REF_FRAME_BYTES = FRAME_HEADER_MIN_BYTES + STRONG_HASH_BYTES

/** Offset of the algorithm byte in every frame (after the 2-byte magic and the version byte). */
const ALGORITHM_OFFSET = 3

/** A parsed `dedup-ref` frame. */
export interface DedupRef {
  /** Strong hash of the referenced chunk (a view into the frame). */
  hash: Uint8Array
  /** Size of the referenced chunk, in bytes. */
  originalBytes: number
}

/**
 * Builds the `dedup-ref` frame for a chunk of `originalBytes` bytes with strong hash `hash`.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) when `hash` is not {@link STRONG_HASH_BYTES} bytes or
 *   `originalBytes` is not a positive 32-bit size
 */
export function encodeDedupRef(hash: Uint8Array, originalBytes: number): Uint8Array {
  if (hash.length !== STRONG_HASH_BYTES) {
    throw new InvalidArgumentError('hash', `${hash.length} bytes, a strong hash is ${STRONG_HASH_BYTES}`)
  }
  if (originalBytes === 0)
    throw new InvalidArgumentError('originalBytes', 'a referenced chunk is never empty')
  return encodeFrame({ algorithm: 'dedup-ref', originalBytes, payload: hash })
}

/**
 * Whether the frame's algorithm byte says `dedup-ref`. A cheap dispatch test that trusts nothing else:
 * {@link decodeDedupRef} verifies the whole frame.
 */
export function isDedupRefFrame(frame: Uint8Array): boolean {
  return frame.length > ALGORITHM_OFFSET && frame[ALGORITHM_OFFSET] === FRAME_ALGORITHMS['dedup-ref']
}

/**
 * Parses and verifies a `dedup-ref` frame.
 *
 * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`): a malformed frame, another algorithm, a level or baseline,
 *   a payload that is not {@link STRONG_HASH_BYTES} bytes, or an original size of zero
 * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`): an original size above `maxChunkBytes`
 */
export function decodeDedupRef(frame: Uint8Array, maxChunkBytes: number): DedupRef {
  const decoded = decodeFrame(frame, { maxOriginalBytes: maxChunkBytes })
  if (decoded.algorithm !== 'dedup-ref') {
    throw new FrameCorruptError(`expected a dedup-ref frame, found algorithm ${decoded.algorithm}`)
  }
  if (decoded.level !== 0) throw new FrameCorruptError(`dedup-ref frame with level ${decoded.level}`)
  if (decoded.baselineId !== undefined) throw new FrameCorruptError('dedup-ref frame names a baseline')
  if (decoded.payload.length !== STRONG_HASH_BYTES) {
    throw new FrameCorruptError(
      `dedup-ref payload of ${decoded.payload.length} bytes, a hash is ${STRONG_HASH_BYTES}`,
    )
  }
  if (decoded.originalBytes === 0) throw new FrameCorruptError('dedup-ref frame to an empty chunk')
  return { hash: decoded.payload, originalBytes: decoded.originalBytes }
}
