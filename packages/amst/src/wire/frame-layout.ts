/**
 * The binary frame of the session protocol (docs/PROTOCOL.md §3). Every frame on every stream:
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 1 | type |
 * | 1 | 1 | flags |
 * | 2 | 2 | channel (big-endian) |
 * | 4 | 4 | transfer id |
 * | 8 | 8 | sequence (offset, acknowledged bytes, time: per type) |
 * | 16 | 4 | payload length |
 * | 20 | 4 | CRC32C of bytes 0–19 followed by the payload |
 * | 24 | n | payload |
 */
export const FRAME_HEADER_BYTES = 24

/** Frame types. */
export const FrameType = {
  message: 0x01,
  channelOpen: 0x02,
  transferOffer: 0x10,
  transferAccept: 0x11,
  transferReject: 0x12,
  chunk: 0x13,
  ack: 0x14,
  transferEnd: 0x15,
  transferDone: 0x16,
  transferAbort: 0x17,
  ping: 0x20,
  pong: 0x21,
  close: 0x30,
} as const

/** Flag: the transfer id in this frame is one the receiver of the frame assigned (it is the transfer's sender). */
export const FLAG_PEER_TRANSFER = 0x01

/**
 * Flag: the transfer runs out of order. On transfer-accept: the receiver writes chunks where they land and
 * acknowledges each one. On ack: the sequence is the offset of one chunk written, not an in-order prefix. On
 * transfer-end and transfer-done: the digest is the chunk list's (`sha256-list:`).
 */
export const FLAG_OUT_OF_ORDER = 0x02

/**
 * Flag, on chunk frames only: the payload is the frame of the sender's codec, not the chunk itself. The
 * sequence is still the chunk's offset in the original object; the receiver decodes the payload and checks
 * that it yields exactly the chunk it expects there.
 */
export const FLAG_ENCODED = 0x04

/** Flags a version-1 frame may carry; any other bit set is a protocol error. */
export const KNOWN_FLAGS = FLAG_PEER_TRANSFER | FLAG_OUT_OF_ORDER | FLAG_ENCODED

/** A frame as it sits on the wire, before the session's ids are resolved. */
export interface RawFrame {
  type: number
  flags: number
  channel: number
  transferId: number
  /** 64-bit field, kept as a bigint-free number (all uses stay below 2^53). */
  sequence: number
  payload: Uint8Array
}

/** Most channels one direction of a session may open. */
export const MAX_CHANNELS = 1024

/** Longest reason text in reject, abort and close frames, in bytes. */
export const MAX_REASON_BYTES = 1024
