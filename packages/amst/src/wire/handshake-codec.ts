import { crc32c, FrameCorruptError, FrameTooLargeError, HandshakeRejectedError } from '@dwcp/core'

/**
 * The handshake every stream starts with (docs/PROTOCOL.md §2):
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 4 | magic `DWCP` |
 * | 4 | 1 | protocol version |
 * | 5 | 1 | kind: 1 hello (dialler), 2 welcome (listener), 3 reject (listener) |
 * | 6 | 2 | body length (≤ 4096) |
 * | 8 | n | body: UTF-8 JSON object |
 * | 8+n | 4 | CRC32C of bytes 0 … 8+n−1 |
 */
export const HANDSHAKE_MAGIC = Uint8Array.from([0x44, 0x57, 0x43, 0x50])
export const HANDSHAKE_HEADER_BYTES = 8
export const MAX_HANDSHAKE_BODY_BYTES = 4096

/** Handshake message kinds. */
export const HandshakeKind = { hello: 1, welcome: 2, reject: 3 } as const

/** One handshake message. */
export interface HandshakeMessage {
  version: number
  kind: number
  body: Record<string, unknown>
}

/** Encodes a handshake message. */
export function encodeHandshake(message: HandshakeMessage): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message.body))
  if (body.byteLength > MAX_HANDSHAKE_BODY_BYTES)
    throw new FrameTooLargeError(body.byteLength, MAX_HANDSHAKE_BODY_BYTES)
  const out = new Uint8Array(HANDSHAKE_HEADER_BYTES + body.byteLength + 4)
  const view = new DataView(out.buffer)
  out.set(HANDSHAKE_MAGIC)
  view.setUint8(4, message.version)
  view.setUint8(5, message.kind)
  view.setUint16(6, body.byteLength)
  out.set(body, HANDSHAKE_HEADER_BYTES)
  view.setUint32(
    HANDSHAKE_HEADER_BYTES + body.byteLength,
    crc32c(out.subarray(0, HANDSHAKE_HEADER_BYTES + body.byteLength)),
  )
  return out
}

/**
 * Reads one handshake message from the start of a stream, whatever pieces it arrives in. Returns the message
 * and the bytes after it (frames may follow in the same read), or undefined while incomplete.
 */
export class HandshakeReader {
  #buffer = new Uint8Array(0)

  /** Consumes bytes; throws on a malformed handshake (fail closed). */
  push(bytes: Uint8Array): { message: HandshakeMessage; rest: Uint8Array } | undefined {
    const joined = new Uint8Array(this.#buffer.byteLength + bytes.byteLength)
    joined.set(this.#buffer)
    joined.set(bytes, this.#buffer.byteLength)
    this.#buffer = joined
    const prefix = Math.min(joined.byteLength, 4)
    for (let i = 0; i < prefix; i++)
      if (joined[i] !== HANDSHAKE_MAGIC[i]) throw new HandshakeRejectedError('not a DWCP stream (bad magic)')
    if (joined.byteLength < HANDSHAKE_HEADER_BYTES) return undefined
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength)
    const bodyBytes = view.getUint16(6)
    if (bodyBytes > MAX_HANDSHAKE_BODY_BYTES)
      throw new FrameTooLargeError(bodyBytes, MAX_HANDSHAKE_BODY_BYTES)
    const total = HANDSHAKE_HEADER_BYTES + bodyBytes + 4
    if (joined.byteLength < total) return undefined
    const crc = view.getUint32(HANDSHAKE_HEADER_BYTES + bodyBytes)
    if (crc32c(joined.subarray(0, HANDSHAKE_HEADER_BYTES + bodyBytes)) !== crc)
      throw new FrameCorruptError('handshake CRC32C mismatch')
    const kind = view.getUint8(5)
    if (!Object.values(HandshakeKind).includes(kind as 1 | 2 | 3))
      throw new HandshakeRejectedError(`unknown handshake kind ${kind}`)
    let body: unknown
    try {
      body = JSON.parse(
        new TextDecoder('utf-8', { fatal: true }).decode(
          joined.subarray(HANDSHAKE_HEADER_BYTES, HANDSHAKE_HEADER_BYTES + bodyBytes),
        ),
      )
    } catch {
      throw new HandshakeRejectedError('handshake body is not UTF-8 JSON')
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new HandshakeRejectedError('handshake body must be a JSON object')
    const rest = joined.subarray(total)
    this.#buffer = new Uint8Array(0)
    return { message: { version: view.getUint8(4), kind, body: body as Record<string, unknown> }, rest }
  }
}
