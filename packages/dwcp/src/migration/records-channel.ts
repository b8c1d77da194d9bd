import { FrameCorruptError } from '@dwcp/core'

/**
 * The AMST channel that carries small frames rounds as messages (the stop-and-copy round): a message needs no
 * transfer offer and acceptance, so the round costs one round trip (the records, then the `applied` request
 * that follows them on the same ordered stream) instead of two. Large rounds go as transfers, striped over the
 * session's streams.
 */
export const RECORDS_CHANNEL = 'migration-records'

/** Longest migration id a records message may carry (ids are 16 hex digits). */
const MAX_ID_BYTES = 64

/** High bit of the first byte: the records went through the node's codec (a custom codec) as one frame. */
const ENCODED_FLAG = 0x80

/**
 * `flags+idBytes u8 | migrationId (ASCII) | records`: the low seven bits of the first byte are the id's length,
 * the high bit says the records are one frame of the node's codec.
 */
export function encodeRecordsMessage(migrationId: string, records: Uint8Array, encoded = false): Uint8Array {
  const id = Buffer.from(migrationId, 'ascii')
  const out = Buffer.allocUnsafe(1 + id.byteLength + records.byteLength)
  out.writeUInt8(id.byteLength | (encoded ? ENCODED_FLAG : 0), 0)
  id.copy(out, 1)
  out.set(records, 1 + id.byteLength)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** Splits a records message; a malformed one is `DWCP_ERR_FRAME_CORRUPT`. */
export function decodeRecordsMessage(bytes: Uint8Array): {
  migrationId: string
  records: Uint8Array
  encoded: boolean
} {
  if (bytes.byteLength < 1) throw new FrameCorruptError('empty migration records message')
  const first = bytes[0] as number
  const idBytes = first & ~ENCODED_FLAG
  if (idBytes === 0 || idBytes > MAX_ID_BYTES || 1 + idBytes > bytes.byteLength)
    throw new FrameCorruptError(`migration records message with an id of ${idBytes} bytes`)
  const migrationId = Buffer.from(bytes.subarray(1, 1 + idBytes)).toString('ascii')
  return { migrationId, records: bytes.subarray(1 + idBytes), encoded: (first & ENCODED_FLAG) !== 0 }
}
