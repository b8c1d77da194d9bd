import { FrameCorruptError, FrameTooLargeError } from '@dwcp/core'
import { frameCrc32c as crc32c } from './checksum.js'
import { FRAME_HEADER_BYTES, FrameType, KNOWN_FLAGS, type RawFrame } from './frame-layout.js'

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(FrameType))
const TWO_32 = 2 ** 32

/** Encodes the 24-byte header of `frame` (CRC over header and payload included). */
export function encodeFrameHeader(frame: RawFrame): Uint8Array {
  const header = new Uint8Array(FRAME_HEADER_BYTES)
  writeFrameHeader(frame, header)
  return header
}

/**
 * Encodes a whole frame into one buffer: what a stream writes at once for a small payload (one copy is cheaper
 * than a second write), and what tests and vectors use.
 */
export function encodeFrame(frame: RawFrame): Uint8Array {
  // Buffer.allocUnsafe takes small buffers from Node's shared pool rather than allocating each one.
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + frame.payload.byteLength)
  out.set(frame.payload, FRAME_HEADER_BYTES)
  writeFrameHeader(frame, out)
  return out
}

/** Writes the header of `frame` into the first 24 bytes of `target`. */
function writeFrameHeader(frame: RawFrame, target: Uint8Array): void {
  const view = new DataView(target.buffer, target.byteOffset, FRAME_HEADER_BYTES)
  view.setUint8(0, frame.type)
  view.setUint8(1, frame.flags)
  view.setUint16(2, frame.channel)
  view.setUint32(4, frame.transferId)
  view.setUint32(8, Math.floor(frame.sequence / TWO_32))
  view.setUint32(12, frame.sequence >>> 0)
  view.setUint32(16, frame.payload.byteLength)
  view.setUint32(20, crc32c(frame.payload, crc32c(target.subarray(0, 20))))
}

/** A parsed header, before its payload has arrived. */
export interface FrameHeader {
  type: number
  flags: number
  channel: number
  transferId: number
  sequence: number
  payloadBytes: number
  crc: number
}

/**
 * Parses and checks a header: known type, known flags, payload length within `maxPayloadBytes` — all before
 * anything is allocated for the payload.
 */
export function decodeFrameHeader(header: Uint8Array, maxPayloadBytes: number): FrameHeader {
  if (header.byteLength < FRAME_HEADER_BYTES) throw new FrameCorruptError('truncated header')
  const view = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES)
  const type = view.getUint8(0)
  if (!KNOWN_TYPES.has(type)) throw new FrameCorruptError(`unknown frame type 0x${type.toString(16)}`)
  const flags = view.getUint8(1)
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new FrameCorruptError(`unknown flags 0x${flags.toString(16)}`)
  const high = view.getUint32(8)
  if (high >= 2 ** 21) throw new FrameCorruptError('sequence beyond 2^53')
  const payloadBytes = view.getUint32(16)
  if (payloadBytes > maxPayloadBytes) throw new FrameTooLargeError(payloadBytes, maxPayloadBytes)
  return {
    type,
    flags,
    channel: view.getUint16(2),
    transferId: view.getUint32(4),
    sequence: high * TWO_32 + view.getUint32(12),
    payloadBytes,
    crc: view.getUint32(20),
  }
}

/** Checks the CRC of a header and its payload and returns the frame. */
export function completeFrame(header: Uint8Array, parsed: FrameHeader, payload: Uint8Array): RawFrame {
  const actual = crc32c(payload, crc32c(header.subarray(0, 20)))
  if (actual !== parsed.crc)
    throw new FrameCorruptError(`CRC32C ${actual.toString(16)} does not match ${parsed.crc.toString(16)}`)
  return {
    type: parsed.type,
    flags: parsed.flags,
    channel: parsed.channel,
    transferId: parsed.transferId,
    sequence: parsed.sequence,
    payload,
  }
}

/** Decodes exactly one frame from `bytes` (no trailing bytes allowed). */
export function decodeFrame(bytes: Uint8Array, maxPayloadBytes: number): RawFrame {
  const parsed = decodeFrameHeader(bytes, maxPayloadBytes)
  const expected = FRAME_HEADER_BYTES + parsed.payloadBytes
  if (bytes.byteLength < expected) throw new FrameCorruptError('truncated payload')
  if (bytes.byteLength > expected) throw new FrameCorruptError('trailing bytes after the frame')
  return completeFrame(bytes, parsed, bytes.subarray(FRAME_HEADER_BYTES, expected))
}
