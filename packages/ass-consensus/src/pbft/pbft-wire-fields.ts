import { FrameCorruptError, InvalidArgumentError } from '@dwcp/core'
import type { ByteReader } from '../raft-wire/byte-reader.js'
import type { ByteWriter } from '../raft-wire/byte-writer.js'
import { DIGEST_BYTES, PBFT_WIRE_VERSION, type PbftWireLimits } from './pbft-wire-limits.js'
import type { ClientRequest, ReplyRecord } from './types.js'

/** Reads the version and type bytes and checks them against `type`. */
export function readHeader(r: ByteReader, type: number): void {
  const version = r.u8('version')
  if (version !== PBFT_WIRE_VERSION) throw new FrameCorruptError(`unknown version ${version}`)
  const got = r.u8('type')
  if (got !== type) throw new FrameCorruptError(`unexpected message type ${got}`)
}

/** Writes a 32-byte digest; any other length is a caller bug. */
export function writeDigest(w: ByteWriter, digest: Uint8Array): void {
  if (digest.byteLength !== DIGEST_BYTES)
    throw new InvalidArgumentError('digest', `must be ${DIGEST_BYTES} bytes, got ${digest.byteLength}`)
  w.bytes(digest)
}

/** Reads a digest that must be exactly 32 bytes. */
export function readDigest(r: ByteReader): Uint8Array {
  const digest = r.bytes('digest', DIGEST_BYTES)
  if (digest.byteLength !== DIGEST_BYTES) throw new FrameCorruptError(`digest of ${digest.byteLength} bytes`)
  return digest
}

/** Writes a batch: its count, then each request. */
export function writeBatch(w: ByteWriter, batch: readonly ClientRequest[]): void {
  w.varint('batch', batch.length)
  for (const request of batch) writeRequest(w, request)
}

/** Reads a batch of at most `limits.maxBatchRequests` requests. */
export function readBatch(r: ByteReader, limits: PbftWireLimits): ClientRequest[] {
  const count = r.count('batch', limits.maxBatchRequests, 5)
  const batch: ClientRequest[] = []
  for (let i = 0; i < count; i++) batch.push(readRequest(r, limits))
  return batch
}

/** Writes a client request: client id, timestamp, operation, signature (empty when unsigned). */
export function writeRequest(w: ByteWriter, request: ClientRequest, withSignature = true): void {
  w.id('clientId', request.clientId)
  w.varint('timestamp', request.timestamp)
  w.bytes(request.operation)
  if (withSignature) w.bytes(request.signature ?? EMPTY)
}

const EMPTY = new Uint8Array()

/** Reads a client request. */
export function readRequest(r: ByteReader, limits: PbftWireLimits): ClientRequest {
  const clientId = r.id('clientId', limits.maxIdBytes)
  const timestamp = r.varint('timestamp')
  const operation = r.bytes('operation', limits.maxMessageBytes)
  const signature = r.bytes('signature', limits.maxSignatureBytes)
  // Absent and empty encode alike; decoding says absent, so the encoding stays canonical.
  return signature.byteLength > 0
    ? { clientId, timestamp, operation, signature }
    : { clientId, timestamp, operation }
}

/** Writes a reply record: client id, timestamp, result. */
export function writeReplyRecord(w: ByteWriter, reply: ReplyRecord): void {
  w.id('clientId', reply.clientId)
  w.varint('timestamp', reply.timestamp)
  w.bytes(reply.result)
}

/** Reads a reply record. */
export function readReplyRecord(r: ByteReader, limits: PbftWireLimits): ReplyRecord {
  const clientId = r.id('clientId', limits.maxIdBytes)
  const timestamp = r.varint('timestamp')
  const result = r.bytes('result', limits.maxMessageBytes)
  return { clientId, timestamp, result }
}
