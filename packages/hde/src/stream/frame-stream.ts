/**
 * Streaming over HDE frames with a bounded memory footprint: re-chunk a byte stream and encode it chunk by
 * chunk, split a byte stream back into frames, decode frames back into chunks. Frames are self-delimiting (the
 * header holds the payload size), so a stream of frames needs no extra framing.
 */
import {
  type Codec,
  type CodecContext,
  FrameCorruptError,
  FrameTooLargeError,
  InvalidArgumentError,
} from '@dwcp/core'
import { FRAME_HEADER_MIN_BYTES, FRAME_MAGIC } from '../frame.js'

/** Offset of the baseline id length in a frame header. */
const BASELINE_LENGTH_OFFSET = 6

/**
 * Cuts a stream of buffers into chunks of exactly `chunkBytes` (the last one shorter), holding at most one
 * chunk: the footprint does not depend on the stream's length or on how its buffers are sized.
 */
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  chunkBytes: number,
): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1)
    throw new InvalidArgumentError('chunkBytes', `${chunkBytes} is not a positive integer`)
  let pending = new Uint8Array(chunkBytes)
  let filled = 0
  for await (const buffer of source) {
    for (let at = 0; at < buffer.byteLength; ) {
      const take = Math.min(chunkBytes - filled, buffer.byteLength - at)
      pending.set(buffer.subarray(at, at + take), filled)
      filled += take
      at += take
      if (filled === chunkBytes) {
        yield pending
        pending = new Uint8Array(chunkBytes)
        filled = 0
      }
    }
  }
  if (filled > 0) yield pending.subarray(0, filled)
}

/** Encodes a byte stream into a stream of frames, one per `chunkBytes` of input. */
export async function* encodeStream(
  source: AsyncIterable<Uint8Array>,
  codec: Codec,
  context: CodecContext,
  chunkBytes: number,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of rechunk(source, chunkBytes)) yield (await codec.encode(chunk, context)).frame
}

/**
 * Splits a byte stream of concatenated frames into frames, buffering at most one frame. A frame announcing more
 * than `maxFrameBytes` is refused before it is buffered; a stream that ends inside a frame is corrupt.
 */
export async function* splitFrames(
  source: AsyncIterable<Uint8Array>,
  maxFrameBytes: number,
): AsyncGenerator<Uint8Array> {
  let buffered: Uint8Array = new Uint8Array(0)
  for await (const buffer of source) {
    buffered = buffered.byteLength === 0 ? buffer : concat(buffered, buffer)
    for (;;) {
      const lengthBytes = frameLength(buffered, maxFrameBytes)
      if (lengthBytes === undefined || buffered.byteLength < lengthBytes) break
      yield buffered.slice(0, lengthBytes)
      buffered = buffered.subarray(lengthBytes)
    }
  }
  if (buffered.byteLength > 0)
    throw new FrameCorruptError(`stream ends ${buffered.byteLength} bytes into a frame`)
}

/** Decodes a stream of frames back into chunks. */
export async function* decodeStream(
  frames: AsyncIterable<Uint8Array>,
  codec: Codec,
  context: CodecContext,
): AsyncGenerator<Uint8Array> {
  for await (const frame of frames) yield await codec.decode(frame, context)
}

/** Total length of the frame at the start of `bytes`, or undefined while its header is incomplete. */
function frameLength(bytes: Uint8Array, maxFrameBytes: number): number | undefined {
  if (bytes.byteLength >= 2 && ((bytes[0] as number) << 8) + (bytes[1] as number) !== FRAME_MAGIC)
    throw new FrameCorruptError('not an HDE frame')
  if (bytes.byteLength <= BASELINE_LENGTH_OFFSET) return undefined
  const headerBytes = FRAME_HEADER_MIN_BYTES + (bytes[BASELINE_LENGTH_OFFSET] as number)
  if (bytes.byteLength < headerBytes) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const payloadBytes = view.getUint32(headerBytes - 8)
  const total = headerBytes + payloadBytes
  if (total > maxFrameBytes) throw new FrameTooLargeError(total, maxFrameBytes)
  return total
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a)
  out.set(b, a.byteLength)
  return out
}
