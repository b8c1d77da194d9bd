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

/** `idBytes u8 | migrationId (ASCII) | records`. */
export function encodeRecordsMessage(migrationId: string, records: Uint8Array): Uint8Array {
  const id = Buffer.from(migrationId, 'ascii')
  const out = Buffer.allocUnsafe(1 + id.byteLength + records.byteLength)
  out.writeUInt8(id.byteLength, 0)
  id.copy(out, 1)
  out.set(records, 1 + id.byteLength)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** Splits a records message; a malformed one is `DWCP_ERR_FRAME_CORRUPT`. */
export function decodeRecordsMessage(bytes: Uint8Array): { migrationId: string; records: Uint8Array } {
  if (bytes.byteLength < 1) throw new FrameCorruptError('empty migration records message')
  const idBytes = bytes[0]!
  if (idBytes === 0 || idBytes > MAX_ID_BYTES || 1 + idBytes > bytes.byteLength)
    throw new FrameCorruptError(`migration records message with an id of ${idBytes} bytes`)
  const migrationId = Buffer.from(bytes.subarray(1, 1 + idBytes)).toString('ascii')
  return { migrationId, records: bytes.subarray(1 + idBytes) }
}
