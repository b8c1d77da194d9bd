import { FrameCorruptError, FrameTooLargeError } from '@dwcp/core'
import { ByteReader } from '../raft-wire/byte-reader.js'
import { ByteWriter } from '../raft-wire/byte-writer.js'
import {
  readBatch,
  readDigest,
  readHeader,
  readReplyRecord,
  readRequest,
  writeBatch,
  writeDigest,
  writeReplyRecord,
  writeRequest,
} from './pbft-wire-fields.js'
import {
  DEFAULT_PBFT_WIRE_LIMITS,
  PBFT_WIRE_TYPES,
  PBFT_WIRE_VERSION,
  type PbftWireLimits,
} from './pbft-wire-limits.js'
import type { ClientRequest, PbftMessage, Reply, ReplyRecord } from './types.js'

/** Anything the codec encodes with a signature: replica messages and replies to clients. */
export type PbftSignedMessage = PbftMessage | Reply

type TypeName = keyof typeof PBFT_WIRE_TYPES
const TYPE_BY_BYTE: (TypeName | undefined)[] = []
for (const name of Object.keys(PBFT_WIRE_TYPES) as TypeName[]) TYPE_BY_BYTE[PBFT_WIRE_TYPES[name]] = name

/**
 * The canonical bytes a signature covers: version, type and every field except the signature. Nested messages
 * (certificates, proofs) are included whole, signatures and all, so a signature vouches for them as received.
 */
export function signingBytes(message: PbftSignedMessage): Uint8Array {
  const cached = signingCache.get(message)
  if (cached) return cached
  const w = new ByteWriter()
  writeBody(w, message)
  const bytes = w.finish()
  signingCache.set(message, bytes)
  return bytes
}

/**
 * Signed bytes remembered per message object. Messages are treated as immutable once built (replicas create
 * a new object rather than edit one), so a message verified, forwarded inside a certificate or sent to three
 * replicas is encoded once; a received one is never encoded again.
 */
const signingCache = new WeakMap<object, Uint8Array>()

/** Encodes a message for the wire: its {@link signingBytes} followed by its signature. */
export function encodePbftMessage(message: PbftSignedMessage): Uint8Array {
  const body = signingBytes(message)
  const w = new ByteWriter()
  w.varint('signature', message.signature.byteLength)
  const prefix = w.finish()
  const bytes = new Uint8Array(body.byteLength + prefix.byteLength + message.signature.byteLength)
  bytes.set(body)
  bytes.set(prefix, body.byteLength)
  bytes.set(message.signature, body.byteLength + prefix.byteLength)
  return bytes
}

/**
 * Decodes a message (or reply) received from the wire. Refuses anything above `limits.maxMessageBytes` with
 * `FrameTooLargeError` and anything malformed, non-canonical or with trailing bytes with `FrameCorruptError`.
 * It checks shape only: signatures and digests are the replica's business.
 */
export function decodePbftMessage(
  bytes: Uint8Array,
  limits: PbftWireLimits = DEFAULT_PBFT_WIRE_LIMITS,
): PbftSignedMessage {
  if (bytes.byteLength > limits.maxMessageBytes)
    throw new FrameTooLargeError(bytes.byteLength, limits.maxMessageBytes)
  const r = new ByteReader(bytes)
  const message = readMessage(bytes, r, limits, 0)
  r.end()
  return message
}

/** Encodes a batch of requests: what a pre-prepare's digest is computed over. */
export function encodeBatch(batch: readonly ClientRequest[]): Uint8Array {
  const w = new ByteWriter()
  writeBatch(w, batch)
  return w.finish()
}

/** The bytes a client signs: its request without the signature. */
export function clientRequestSigningBytes(request: ClientRequest): Uint8Array {
  const w = new ByteWriter()
  writeRequest(w, request, false)
  return w.finish()
}

/** Encodes one client request as a message of its own (client to replica; requests are not signed). */
export function encodeClientRequest(request: ClientRequest): Uint8Array {
  const w = new ByteWriter()
  w.u8(PBFT_WIRE_VERSION)
  w.u8(PBFT_WIRE_TYPES.clientRequest)
  writeRequest(w, request)
  return w.finish()
}

/** Decodes what {@link encodeClientRequest} wrote, with the same typed errors as {@link decodePbftMessage}. */
export function decodeClientRequest(
  bytes: Uint8Array,
  limits: PbftWireLimits = DEFAULT_PBFT_WIRE_LIMITS,
): ClientRequest {
  if (bytes.byteLength > limits.maxMessageBytes)
    throw new FrameTooLargeError(bytes.byteLength, limits.maxMessageBytes)
  const r = new ByteReader(bytes)
  readHeader(r, PBFT_WIRE_TYPES.clientRequest)
  const request = readRequest(r, limits)
  r.end()
  return request
}

function writeBody(w: ByteWriter, m: PbftSignedMessage): void {
  w.u8(PBFT_WIRE_VERSION)
  w.u8(PBFT_WIRE_TYPES[m.type])
  w.varint('replica', m.replica)
  switch (m.type) {
    case 'prePrepare':
    case 'executed':
      w.varint('seq', m.seq)
      if (m.type === 'prePrepare') w.varint('view', m.view)
      writeDigest(w, m.digest)
      writeBatch(w, m.batch)
      return
    case 'prepare':
    case 'commit':
      w.varint('view', m.view)
      w.varint('seq', m.seq)
      writeDigest(w, m.digest)
      return
    case 'checkpoint':
      w.varint('seq', m.seq)
      writeDigest(w, m.stateDigest)
      return
    case 'viewChange':
      w.varint('newView', m.newView)
      w.varint('stableSeq', m.stableSeq)
      writeNested(w, m.checkpointProof)
      w.varint('prepared', m.prepared.length)
      for (const cert of m.prepared) {
        w.bytes(encodePbftMessage(cert.prePrepare))
        writeNested(w, cert.prepares)
      }
      return
    case 'newView':
      w.varint('view', m.view)
      writeNested(w, m.viewChanges)
      writeNested(w, m.prePrepares)
      return
    case 'request':
      writeRequest(w, m.request)
      return
    case 'fetch':
      w.varint('seq', m.seq)
      w.varint('view', m.view)
      return
    case 'state':
      w.varint('seq', m.seq)
      writeNested(w, m.checkpointProof)
      w.bytes(m.snapshot)
      w.varint('replies', m.replies.length)
      for (const reply of m.replies) writeReplyRecord(w, reply)
      return
    case 'reply':
      w.varint('view', m.view)
      writeReplyRecord(w, m)
      return
  }
}

function readMessage(
  input: Uint8Array,
  r: ByteReader,
  limits: PbftWireLimits,
  depth: number,
): PbftSignedMessage {
  const version = r.u8('version')
  if (version !== PBFT_WIRE_VERSION) throw new FrameCorruptError(`unknown version ${version}`)
  const typeByte = r.u8('type')
  const type = TYPE_BY_BYTE[typeByte]
  if (type === undefined || type === 'clientRequest')
    throw new FrameCorruptError(`unknown message type ${typeByte}`)
  const replica = r.varint('replica')
  if (replica >= limits.maxReplicas) throw new FrameCorruptError(`replica ${replica} out of range`)
  const message = readBody(r, type, replica, limits, depth) as PbftSignedMessage
  const bodyEnd = input.byteLength - r.remaining
  message.signature = r.bytes('signature', limits.maxSignatureBytes)
  // The received bytes are canonical (the reader refuses any other encoding), so they are the encoding: keep
  // a copy (the caller may reuse its receive buffer) instead of encoding again to verify or forward. A nested
  // message already sits in a copy of its own.
  signingCache.set(message, depth > 0 ? input.subarray(0, bodyEnd) : input.slice(0, bodyEnd))
  return message
}

type Unsigned<T> = T extends unknown ? Omit<T, 'signature'> : never

function readBody(
  r: ByteReader,
  type: Exclude<TypeName, 'clientRequest'>,
  replica: number,
  limits: PbftWireLimits,
  depth: number,
): Unsigned<PbftSignedMessage> {
  // A view change nests pre-prepares, prepares and checkpoints; a new view nests view changes: never deeper.
  const nested = <T extends PbftSignedMessage['type']>(field: string, want: T, max: number) =>
    readNested(r, field, want, max, limits, depth)
  switch (type) {
    case 'prePrepare':
    case 'executed': {
      const seq = r.varint('seq')
      const view = type === 'prePrepare' ? r.varint('view') : 0
      const digest = readDigest(r)
      const batch = readBatch(r, limits)
      return type === 'prePrepare'
        ? { type, replica, view, seq, digest, batch }
        : { type, replica, seq, digest, batch }
    }
    case 'prepare':
    case 'commit':
      return { type, replica, view: r.varint('view'), seq: r.varint('seq'), digest: readDigest(r) }
    case 'checkpoint':
      return { type, replica, seq: r.varint('seq'), stateDigest: readDigest(r) }
    case 'viewChange': {
      const newView = r.varint('newView')
      const stableSeq = r.varint('stableSeq')
      const checkpointProof = nested('checkpointProof', 'checkpoint', limits.maxReplicas)
      const count = r.count('prepared', limits.maxCertificates, 2)
      const prepared = []
      for (let i = 0; i < count; i++) {
        const [prePrepare] = readNested(r, 'prePrepare', 'prePrepare', 1, limits, depth, true)
        prepared.push({
          prePrepare: prePrepare!,
          prepares: nested('prepares', 'prepare', limits.maxReplicas),
        })
      }
      return { type, replica, newView, stableSeq, checkpointProof, prepared }
    }
    case 'newView': {
      const view = r.varint('view')
      const viewChanges = nested('viewChanges', 'viewChange', limits.maxReplicas)
      const prePrepares = nested('prePrepares', 'prePrepare', limits.maxCertificates)
      return { type, replica, view, viewChanges, prePrepares }
    }
    case 'request':
      return { type, replica, request: readRequest(r, limits) }
    case 'fetch':
      return { type, replica, seq: r.varint('seq'), view: r.varint('view') }
    case 'state': {
      const seq = r.varint('seq')
      const checkpointProof = nested('checkpointProof', 'checkpoint', limits.maxReplicas)
      const snapshot = r.bytes('snapshot', limits.maxMessageBytes)
      const count = r.count('replies', limits.maxClients, 4)
      const replies: ReplyRecord[] = []
      for (let i = 0; i < count; i++) replies.push(readReplyRecord(r, limits))
      return { type, replica, seq, checkpointProof, snapshot, replies }
    }
    case 'reply': {
      const view = r.varint('view')
      return { type, replica, view, ...readReplyRecord(r, limits) }
    }
  }
}

function writeNested(w: ByteWriter, messages: readonly PbftSignedMessage[]): void {
  w.varint('count', messages.length)
  for (const m of messages) w.bytes(encodePbftMessage(m))
}

type MessageOf<T extends PbftSignedMessage['type']> = Extract<PbftSignedMessage, { type: T }>

function readNested<T extends PbftSignedMessage['type']>(
  r: ByteReader,
  field: string,
  want: T,
  max: number,
  limits: PbftWireLimits,
  depth: number,
  single = false,
): MessageOf<T>[] {
  if (depth >= 2) throw new FrameCorruptError(`${field} nested too deeply`)
  const count = single ? 1 : r.count(field, max, 2)
  const out: MessageOf<T>[] = []
  for (let i = 0; i < count; i++) {
    const raw = r.bytes(field, limits.maxMessageBytes)
    const inner = new ByteReader(raw)
    const message = readMessage(raw, inner, limits, depth + 1)
    inner.end()
    if (message.type !== want) throw new FrameCorruptError(`${field} holds a ${message.type}`)
    out.push(message as MessageOf<T>)
  }
  return out
}
