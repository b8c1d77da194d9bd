/**
 * How a UCX session lays its frames onto 32-bit tags. The addon already keeps endpoints apart (the endpoint id
 * fills the upper half of UCX's 64-bit tag), so the 32 bits here belong to one session:
 *
 * | bits | field |
 * | --- | --- |
 * | 31–24 | lane: 0–254 carry frames, 255 carries the handshake |
 * | 23–1 | frame number on the lane, modulo 2^23 |
 * | 0 | part: 0 the 24-byte frame header, 1 the payload (sent only when the payload is not empty) |
 *
 * Every frame therefore has tags of its own, and a receiver asks for exactly the next one of each lane: a lane
 * is an ordered sequence of frames whatever order UCX completes operations in.
 */

/** Lane that carries the handshake (hello, welcome, reject), one message each way. */
export const HANDSHAKE_LANE = 255

/** Most lanes a session may carry frames on (lanes 0 … 254). */
export const LANES_MAX = 255

/** Frame numbers wrap at this value (23 bits). */
export const FRAME_NUMBER_MODULUS = 2 ** 23

/** Mask that matches a whole 32-bit tag. */
export const FULL_TAG_MASK = 0xffffffff

/** Tag of the header of frame `frameNumber` on `lane`. */
export function headerTag(lane: number, frameNumber: number): number {
  return ((lane << 24) | ((frameNumber % FRAME_NUMBER_MODULUS) << 1)) >>> 0
}

/** Tag of the payload of frame `frameNumber` on `lane`. */
export function payloadTag(lane: number, frameNumber: number): number {
  return (headerTag(lane, frameNumber) | 1) >>> 0
}

/** Tag of the handshake message (each direction has its own, so one tag serves both). */
export const HANDSHAKE_TAG = headerTag(HANDSHAKE_LANE, 0)
