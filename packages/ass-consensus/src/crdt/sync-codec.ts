import { FrameCorruptError, FrameTooLargeError } from '@dwcp/core'
import { ByteReader } from '../raft-wire/byte-reader.js'
import { ByteWriter } from '../raft-wire/byte-writer.js'
import { SYNC_WIRE_TYPES, SYNC_WIRE_VERSION, type SyncWireLimits } from './wire-limits.js'

/** One Yjs update in a rumor batch, with the time its origin made it when known. */
export interface RumoredUpdate {
  /** A Yjs update (v1 encoding). */
  update: Uint8Array
  /** When the write was made, by the origin's {@link OriginClock}; absent for updates learnt by anti-entropy. */
  originTimeMs?: number | undefined
}

/** A gossip message between CRDT replicas. */
export type SyncMessage =
  /** A rumor batch: updates made or received since the sender's last round. */
  | { type: 'updates'; updates: RumoredUpdate[] }
  /**
   * Anti-entropy, first half: the sender's state vector. The receiver answers with a `diff`, and when
   * `reciprocate` is set also with its own state vector (not reciprocated), so one exchange repairs both sides.
   */
  | { type: 'stateVectorRequest'; stateVector: Uint8Array; reciprocate: boolean }
  /** Anti-entropy, second half: what the requester lacks (`Y.encodeStateAsUpdate(doc, theirVector)`). */
  | { type: 'diff'; update: Uint8Array }

/**
 * Encodes a gossip message (version 1):
 *
 * ```
 * u8 version = 1 | u8 type
 * updates:            varint count, then per update: u8 hasOrigin (0|1) [varint originTimeMs] bytes update
 * stateVectorRequest: u8 reciprocate (0|1), bytes stateVector
 * diff:               bytes update
 * ```
 * `bytes` is a varint length and the bytes. Integers are unsigned LEB128, minimally encoded.
 */
export function encodeSyncMessage(message: SyncMessage): Uint8Array {
  const writer = new ByteWriter()
  writer.u8(SYNC_WIRE_VERSION)
  writer.u8(SYNC_WIRE_TYPES[message.type])
  switch (message.type) {
    case 'updates':
      writer.varint('updates.length', message.updates.length)
      for (const { update, originTimeMs } of message.updates) {
        writer.u8(originTimeMs === undefined ? 0 : 1)
        if (originTimeMs !== undefined) writer.varint('originTimeMs', originTimeMs)
        writer.bytes(update)
      }
      break
    case 'stateVectorRequest':
      writer.u8(message.reciprocate ? 1 : 0)
      writer.bytes(message.stateVector)
      break
    case 'diff':
      writer.bytes(message.update)
      break
  }
  return writer.finish()
}

/**
 * Decodes a gossip message, checking every length against the bytes left and the limits before allocating.
 * The encoding is canonical: a message that decodes re-encodes to exactly its input.
 *
 * @throws FrameTooLargeError when `bytes` exceeds `limits.maxMessageBytes` (nothing is parsed).
 * @throws FrameCorruptError when it does not parse: unknown version or type, truncation, trailing bytes,
 *   a count over `limits.maxUpdatesPerBatch`, an empty update.
 */
export function decodeSyncMessage(bytes: Uint8Array, limits: SyncWireLimits): SyncMessage {
  if (bytes.byteLength > limits.maxMessageBytes)
    throw new FrameTooLargeError(bytes.byteLength, limits.maxMessageBytes)
  const reader = new ByteReader(bytes)
  const version = reader.u8('version')
  if (version !== SYNC_WIRE_VERSION) throw new FrameCorruptError(`unknown sync wire version ${version}`)
  const type = reader.u8('type')
  let message: SyncMessage
  switch (type) {
    case SYNC_WIRE_TYPES.updates: {
      // Each update takes at least 3 bytes (presence, length, one byte of update).
      const count = reader.count('updates.length', limits.maxUpdatesPerBatch, 3)
      if (count === 0) throw new FrameCorruptError('an update batch is empty')
      const updates: RumoredUpdate[] = []
      for (let i = 0; i < count; i++) {
        const hasOrigin = reader.choice('hasOrigin', 2) === 1
        const originTimeMs = hasOrigin ? reader.varint('originTimeMs') : undefined
        updates.push({ update: nonEmpty(reader.bytes('update'), 'update'), originTimeMs })
      }
      message = { type: 'updates', updates }
      break
    }
    case SYNC_WIRE_TYPES.stateVectorRequest: {
      const reciprocate = reader.choice('reciprocate', 2) === 1
      message = { type: 'stateVectorRequest', reciprocate, stateVector: reader.bytes('stateVector') }
      break
    }
    case SYNC_WIRE_TYPES.diff:
      message = { type: 'diff', update: nonEmpty(reader.bytes('update'), 'update') }
      break
    default:
      throw new FrameCorruptError(`unknown sync message type ${type}`)
  }
  reader.end()
  return message
}

function nonEmpty(bytes: Uint8Array, field: string): Uint8Array {
  if (bytes.byteLength === 0) throw new FrameCorruptError(`${field} is empty`)
  return bytes
}
