/**
 * The container of a delta-encoded chunk: one HDE frame per page, in page order, closed by an end frame (a
 * `none` frame of 0 bytes). Each frame states its own length in its header, so the sequence splits without any
 * other framing; the end frame makes a chunk cut at a frame boundary, or two chunks run together, detectable.
 */
import { FrameCorruptError, FrameTooLargeError } from '@dwcp/core'
import { type DecodedFrame, decodeFrame, encodeFrame, FRAME_HEADER_MIN_BYTES } from '../frame.js'

/** Offset of the baseline id length in a frame header. */
const BASELINE_LENGTH_OFFSET = 6
/** Offset of the payload size in a frame header, after the baseline id. */
const PAYLOAD_SIZE_OFFSET = 11

/** The frame that closes every chunk: algorithm `none`, no baseline, 0 bytes. */
export const END_FRAME: Uint8Array = encodeFrame({
  algorithm: 'none',
  originalBytes: 0,
  payload: new Uint8Array(0),
})

/**
 * Splits a sequence of concatenated HDE frames into one view per frame (no copies). Only the lengths are read
 * here: pass each view to `decodeFrame` to verify it. The number of views is bounded by the input: every frame
 * takes at least `FRAME_HEADER_MIN_BYTES`.
 *
 * @param maxPayloadBytes - bound on each frame's payload size, checked before the size is used
 * @throws FrameCorruptError when the sequence is empty or a frame is truncated
 * @throws FrameTooLargeError when a payload size exceeds `maxPayloadBytes`
 */
export function splitFrames(bytes: Uint8Array, maxPayloadBytes: number): Uint8Array[] {
  if (bytes.length === 0) throw new FrameCorruptError('empty input: a chunk holds at least its end frame')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const frames: Uint8Array[] = []
  let offset = 0
  while (offset < bytes.length) {
    const left = bytes.length - offset
    if (left <= BASELINE_LENGTH_OFFSET) {
      throw new FrameCorruptError(`truncated: frame ${frames.length} at byte ${offset} has ${left} bytes`)
    }
    const baselineLength = view.getUint8(offset + BASELINE_LENGTH_OFFSET)
    const headerBytes = FRAME_HEADER_MIN_BYTES + baselineLength
    if (left < headerBytes) {
      throw new FrameCorruptError(
        `truncated: frame ${frames.length} at byte ${offset} has ${left} bytes, its header needs ${headerBytes}`,
      )
    }
    const payloadBytes = view.getUint32(offset + PAYLOAD_SIZE_OFFSET + baselineLength)
    if (payloadBytes > maxPayloadBytes) throw new FrameTooLargeError(payloadBytes, maxPayloadBytes)
    const frameBytes = headerBytes + payloadBytes
    if (left < frameBytes) {
      throw new FrameCorruptError(
        `truncated: frame ${frames.length} at byte ${offset} has ${left} bytes, it needs ${frameBytes}`,
      )
    }
    frames.push(bytes.subarray(offset, offset + frameBytes))
    offset += frameBytes
  }
  return frames
}

/** Concatenates the page frames of a chunk and closes them with {@link END_FRAME}. */
export function joinPageFrames(pageFrames: readonly Uint8Array[]): Uint8Array {
  let total = END_FRAME.length
  for (const frame of pageFrames) total += frame.length
  const out = new Uint8Array(total)
  let offset = 0
  for (const frame of pageFrames) {
    out.set(frame, offset)
    offset += frame.length
  }
  out.set(END_FRAME, offset)
  return out
}

/** A chunk's verified page frames, as returned by {@link splitPageFrames}. */
export interface ChunkFrames {
  /** The page frames, in page order, each verified by `decodeFrame`. */
  pages: DecodedFrame[]
  /** Size of the chunk: the sum of the pages' original sizes. */
  chunkBytes: number
}

/**
 * Splits and verifies the frames of a chunk written by {@link joinPageFrames}: every frame passes `decodeFrame`
 * (bounded by `pageBytes`), every page but the last is `pageBytes` long and the last 1..pageBytes, the chunk is
 * at most `maxChunkBytes`, and the sequence ends with exactly one end frame.
 *
 * @throws FrameCorruptError when a frame is corrupt, the pages do not tile a chunk, or the end frame is missing
 *   or followed by more frames
 * @throws FrameTooLargeError when a frame or the chunk exceeds its bound
 */
export function splitPageFrames(bytes: Uint8Array, pageBytes: number, maxChunkBytes: number): ChunkFrames {
  const views = splitFrames(bytes, pageBytes)
  const maxPages = Math.ceil(maxChunkBytes / pageBytes)
  if (views.length - 1 > maxPages) {
    // Every page but the last is full, so this many pages announce more than the bound allows.
    throw new FrameTooLargeError((views.length - 2) * pageBytes + 1, maxChunkBytes)
  }
  const frames = views.map((view) =>
    decodeFrame(view, { maxOriginalBytes: pageBytes, maxPayloadBytes: pageBytes }),
  )
  const end = frames.pop()!
  if (!isEndFrame(end)) {
    throw new FrameCorruptError('the chunk does not end with its end frame (truncated, or not a delta chunk)')
  }
  let chunkBytes = 0
  frames.forEach((frame, i) => {
    if (isEndFrame(frame)) throw new FrameCorruptError(`frames follow the end frame at position ${i}`)
    const last = i === frames.length - 1
    if (last ? frame.originalBytes === 0 : frame.originalBytes !== pageBytes) {
      throw new FrameCorruptError(
        `page ${i} of ${frames.length} announces ${frame.originalBytes} bytes with pages of ${pageBytes}`,
      )
    }
    chunkBytes += frame.originalBytes
  })
  if (chunkBytes > maxChunkBytes) throw new FrameTooLargeError(chunkBytes, maxChunkBytes)
  return { pages: frames, chunkBytes }
}

function isEndFrame(frame: DecodedFrame): boolean {
  return frame.algorithm === 'none' && frame.originalBytes === 0 && frame.baselineId === undefined
}
