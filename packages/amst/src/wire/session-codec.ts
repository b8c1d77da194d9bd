import { FrameCorruptError } from '@dwcp/core'
import type { SessionFrame } from '../session/frames.js'
import { CHUNK_LIST_DIGEST_PREFIX, IN_ORDER_DIGEST_PREFIX } from '../session/transfer-digest.js'
import {
  FLAG_ENCODED,
  FLAG_OUT_OF_ORDER,
  FLAG_PEER_TRANSFER,
  FrameType,
  MAX_CHANNELS,
  MAX_REASON_BYTES,
  type RawFrame,
} from './frame-layout.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
const EMPTY = new Uint8Array(0)
const DIGEST_BYTES = 32

/** Frame types on which the out-of-order flag means something. */
const OUT_OF_ORDER_TYPES: ReadonlySet<number> = new Set([
  FrameType.transferAccept,
  FrameType.ack,
  FrameType.transferEnd,
  FrameType.transferDone,
])

/** Longest transfer id and metadata accepted in an offer. */
export const MAX_TRANSFER_ID_BYTES = 256
export const MAX_METADATA_BYTES = 8192

/**
 * Numeric transfer ids of one session, shared by all its streams. A transfer's sender numbers it; frames about
 * the transfer carry that number and a flag saying which side numbered it.
 */
export class TransferIds {
  readonly #local = new Map<string, number>()
  readonly #localById = new Map<number, string>()
  readonly #remote = new Map<string, number>()
  readonly #remoteById = new Map<number, string>()
  #next = 1

  /** Number of transfers either side has open. */
  get size(): number {
    return this.#local.size + this.#remote.size
  }

  /** @internal */
  assignLocal(id: string): number {
    const existing = this.#local.get(id)
    if (existing !== undefined) return existing
    const number = this.#next
    this.#next = this.#next >= 0xfffffffe ? 1 : this.#next + 1
    this.#local.set(id, number)
    this.#localById.set(number, id)
    return number
  }
  /** @internal */
  local(id: string): number | undefined {
    return this.#local.get(id)
  }
  /** @internal */
  remote(id: string): number | undefined {
    return this.#remote.get(id)
  }
  /** @internal */
  registerRemote(number: number, id: string): void {
    const previous = this.#remoteById.get(number)
    if (previous !== undefined) this.#remote.delete(previous)
    this.#remote.set(id, number)
    this.#remoteById.set(number, id)
  }
  /** @internal */
  resolve(number: number, peerNumbered: boolean): string | undefined {
    return peerNumbered ? this.#remoteById.get(number) : this.#localById.get(number)
  }
  /** @internal Forgets a finished transfer. */
  forget(id: string, ours: boolean): void {
    const table = ours ? this.#local : this.#remote
    const byId = ours ? this.#localById : this.#remoteById
    const number = table.get(id)
    if (number === undefined) return
    table.delete(id)
    byId.delete(number)
  }
}

/** Turns session frames into wire frames for one stream (it owns that stream's outgoing channel table). */
export class FrameEncoder {
  readonly #ids: TransferIds
  readonly #channels = new Map<string, number>()

  constructor(ids: TransferIds) {
    this.#ids = ids
  }

  /** The wire frames for `frame` (a channel-open first when a channel is new); none for a finished transfer. */
  encode(frame: SessionFrame): RawFrame[] {
    const raw = (type: number, fields: Partial<RawFrame> = {}): RawFrame => ({
      type,
      flags: 0,
      channel: 0,
      transferId: 0,
      sequence: 0,
      payload: EMPTY,
      ...fields,
    })
    switch (frame.type) {
      case 'message': {
        const out: RawFrame[] = []
        let channel = this.#channels.get(frame.channel)
        if (channel === undefined) {
          if (this.#channels.size >= MAX_CHANNELS)
            throw new FrameCorruptError('too many channels on one session')
          channel = this.#channels.size + 1
          this.#channels.set(frame.channel, channel)
          out.push(raw(FrameType.channelOpen, { channel, payload: encoder.encode(frame.channel) }))
        }
        out.push(raw(FrameType.message, { channel, payload: frame.bytes }))
        return out
      }
      case 'transfer-offer': {
        const number = this.#ids.assignLocal(frame.id)
        const id = encoder.encode(frame.id)
        const metadata = encoder.encode(JSON.stringify(frame.metadata))
        const payload = new Uint8Array(4 + 2 + id.byteLength + metadata.byteLength)
        const view = new DataView(payload.buffer)
        view.setUint32(0, frame.chunkBytes)
        view.setUint16(4, id.byteLength)
        payload.set(id, 6)
        payload.set(metadata, 6 + id.byteLength)
        return [raw(FrameType.transferOffer, { transferId: number, sequence: frame.sizeBytes, payload })]
      }
      case 'chunk':
        return this.#ours(frame.id, (n) =>
          raw(FrameType.chunk, {
            flags: frame.encoded ? FLAG_ENCODED : 0,
            transferId: n,
            sequence: frame.offsetBytes,
            payload: frame.bytes,
          }),
        )
      case 'transfer-end': {
        const digest = digestBytes(frame.digest)
        return this.#ours(frame.id, (n) =>
          raw(FrameType.transferEnd, { flags: digest.flags, transferId: n, payload: digest.bytes }),
        )
      }
      case 'transfer-accept': {
        const payload = new Uint8Array(4)
        new DataView(payload.buffer).setUint32(0, Math.min(frame.windowBytes, 0xffffffff))
        return this.#theirs(frame.id, false, (n) =>
          raw(FrameType.transferAccept, {
            flags: FLAG_PEER_TRANSFER | (frame.outOfOrder ? FLAG_OUT_OF_ORDER : 0),
            transferId: n,
            sequence: frame.resumeOffsetBytes,
            payload,
          }),
        )
      }
      case 'ack':
        return this.#theirs(frame.id, false, (n) =>
          raw(FrameType.ack, { flags: FLAG_PEER_TRANSFER, transferId: n, sequence: frame.ackedBytes }),
        )
      case 'chunk-ack':
        return this.#theirs(frame.id, false, (n) =>
          raw(FrameType.ack, {
            flags: FLAG_PEER_TRANSFER | FLAG_OUT_OF_ORDER,
            transferId: n,
            sequence: frame.offsetBytes,
          }),
        )
      case 'transfer-reject':
        return this.#theirs(frame.id, true, (n) =>
          raw(FrameType.transferReject, {
            flags: FLAG_PEER_TRANSFER,
            transferId: n,
            payload: reasonBytes(frame.reason),
          }),
        )
      case 'transfer-done': {
        const digest = digestBytes(frame.digest)
        return this.#theirs(frame.id, true, (n) =>
          raw(FrameType.transferDone, {
            flags: FLAG_PEER_TRANSFER | digest.flags,
            transferId: n,
            payload: digest.bytes,
          }),
        )
      }
      case 'transfer-abort': {
        const ours = this.#ids.local(frame.id)
        const payload = reasonBytes(frame.reason)
        if (ours !== undefined) {
          this.#ids.forget(frame.id, true)
          return [raw(FrameType.transferAbort, { transferId: ours, payload })]
        }
        return this.#theirs(frame.id, true, (n) =>
          raw(FrameType.transferAbort, { flags: FLAG_PEER_TRANSFER, transferId: n, payload }),
        )
      }
      case 'ping':
        return [raw(FrameType.ping, { sequence: Math.max(0, Math.round(frame.sentAtMs * 1000)) })]
      case 'pong':
        return [raw(FrameType.pong, { sequence: Math.max(0, Math.round(frame.sentAtMs * 1000)) })]
      case 'close':
        return [raw(FrameType.close, { payload: reasonBytes(frame.reason) })]
    }
  }

  #ours(id: string, make: (n: number) => RawFrame): RawFrame[] {
    const number = this.#ids.local(id)
    return number === undefined ? [] : [make(number)]
  }

  #theirs(id: string, last: boolean, make: (n: number) => RawFrame): RawFrame[] {
    const number = this.#ids.remote(id)
    if (number === undefined) return []
    if (last) this.#ids.forget(id, false)
    return [make(number)]
  }
}

/** Turns wire frames of one stream back into session frames (it owns that stream's incoming channel table). */
export class FrameDecoder {
  readonly #ids: TransferIds
  readonly #channels = new Map<number, string>()

  constructor(ids: TransferIds) {
    this.#ids = ids
  }

  /**
   * The session frame `raw` carries, or undefined for frames that only update state (channel-open) or refer to
   * a transfer that already ended (a late duplicate). Malformed content throws FrameCorruptError.
   */
  decode(raw: RawFrame): SessionFrame | undefined {
    const peerNumbered = (raw.flags & FLAG_PEER_TRANSFER) === 0
    const outOfOrder = (raw.flags & FLAG_OUT_OF_ORDER) !== 0
    if (outOfOrder && !OUT_OF_ORDER_TYPES.has(raw.type))
      throw new FrameCorruptError(`frame type 0x${raw.type.toString(16)} with the out-of-order flag`)
    if ((raw.flags & FLAG_ENCODED) !== 0 && raw.type !== FrameType.chunk)
      throw new FrameCorruptError(`frame type 0x${raw.type.toString(16)} with the encoded flag`)
    switch (raw.type) {
      case FrameType.channelOpen: {
        if (raw.channel === 0 || this.#channels.has(raw.channel))
          throw new FrameCorruptError(`channel ${raw.channel} reopened`)
        if (this.#channels.size >= MAX_CHANNELS) throw new FrameCorruptError('too many channels')
        const name = text(raw.payload, 'channel name')
        if (name.length === 0 || name.length > 64)
          throw new FrameCorruptError('channel name must be 1..64 characters')
        this.#channels.set(raw.channel, name)
        return undefined
      }
      case FrameType.message: {
        const channel = this.#channels.get(raw.channel)
        if (channel === undefined) throw new FrameCorruptError(`message on unopened channel ${raw.channel}`)
        return { type: 'message', channel, bytes: raw.payload }
      }
      case FrameType.transferOffer: {
        if (raw.flags !== 0) throw new FrameCorruptError('offer with the peer-transfer flag')
        if (raw.payload.byteLength < 6) throw new FrameCorruptError('short offer')
        const view = new DataView(raw.payload.buffer, raw.payload.byteOffset, raw.payload.byteLength)
        const chunkBytes = view.getUint32(0)
        const idBytes = view.getUint16(4)
        if (idBytes === 0 || idBytes > MAX_TRANSFER_ID_BYTES || 6 + idBytes > raw.payload.byteLength)
          throw new FrameCorruptError('bad transfer id length')
        const id = text(raw.payload.subarray(6, 6 + idBytes), 'transfer id')
        const metadataBytes = raw.payload.subarray(6 + idBytes)
        if (metadataBytes.byteLength > MAX_METADATA_BYTES) throw new FrameCorruptError('metadata too large')
        const metadata = parseMetadata(text(metadataBytes, 'metadata'))
        this.#ids.registerRemote(raw.transferId, id)
        return { type: 'transfer-offer', id, sizeBytes: raw.sequence, chunkBytes, metadata }
      }
      default:
        return this.#transferFrame(raw, peerNumbered, outOfOrder)
    }
  }

  #transferFrame(raw: RawFrame, peerNumbered: boolean, outOfOrder: boolean): SessionFrame | undefined {
    switch (raw.type) {
      case FrameType.ping:
        return { type: 'ping', sentAtMs: raw.sequence / 1000 }
      case FrameType.pong:
        return { type: 'pong', sentAtMs: raw.sequence / 1000 }
      case FrameType.close:
        return { type: 'close', reason: text(raw.payload, 'close reason') }
    }
    const id = this.#ids.resolve(raw.transferId, peerNumbered)
    if (id === undefined) return undefined // a transfer that already ended
    switch (raw.type) {
      case FrameType.chunk:
        expectOwner(raw, peerNumbered, true)
        if (raw.payload.byteLength === 0) throw new FrameCorruptError('empty chunk')
        return (raw.flags & FLAG_ENCODED) !== 0
          ? { type: 'chunk', id, offsetBytes: raw.sequence, bytes: raw.payload, encoded: true }
          : { type: 'chunk', id, offsetBytes: raw.sequence, bytes: raw.payload }
      case FrameType.transferEnd:
        expectOwner(raw, peerNumbered, true)
        return { type: 'transfer-end', id, digest: digestText(raw.payload, outOfOrder) }
      case FrameType.transferAccept: {
        expectOwner(raw, peerNumbered, false)
        if (raw.payload.byteLength !== 4) throw new FrameCorruptError('accept payload must be 4 bytes')
        const windowBytes = new DataView(raw.payload.buffer, raw.payload.byteOffset, 4).getUint32(0)
        return {
          type: 'transfer-accept',
          id,
          resumeOffsetBytes: raw.sequence,
          windowBytes,
          ...(outOfOrder ? { outOfOrder } : {}),
        }
      }
      case FrameType.ack:
        expectOwner(raw, peerNumbered, false)
        return outOfOrder
          ? { type: 'chunk-ack', id, offsetBytes: raw.sequence }
          : { type: 'ack', id, ackedBytes: raw.sequence }
      case FrameType.transferReject:
        expectOwner(raw, peerNumbered, false)
        this.#ids.forget(id, true)
        return { type: 'transfer-reject', id, reason: text(raw.payload, 'reject reason') }
      case FrameType.transferDone:
        expectOwner(raw, peerNumbered, false)
        this.#ids.forget(id, true)
        return { type: 'transfer-done', id, digest: digestText(raw.payload, outOfOrder) }
      case FrameType.transferAbort:
        this.#ids.forget(id, !peerNumbered)
        return { type: 'transfer-abort', id, reason: text(raw.payload, 'abort reason') }
      default:
        throw new FrameCorruptError(`frame type 0x${raw.type.toString(16)} out of place`)
    }
  }
}

function expectOwner(raw: RawFrame, peerNumbered: boolean, fromSender: boolean): void {
  if (peerNumbered !== fromSender)
    throw new FrameCorruptError(`frame type 0x${raw.type.toString(16)} with the wrong owner flag`)
}

function text(bytes: Uint8Array, what: string): string {
  if (bytes.byteLength > MAX_METADATA_BYTES) throw new FrameCorruptError(`${what} too long`)
  try {
    return decoder.decode(bytes)
  } catch {
    throw new FrameCorruptError(`${what} is not UTF-8`)
  }
}

function reasonBytes(reason: string): Uint8Array {
  const bytes = encoder.encode(reason)
  return bytes.byteLength <= MAX_REASON_BYTES ? bytes : bytes.subarray(0, MAX_REASON_BYTES)
}

/** A digest's 32 bytes, and the flag that says which kind it is (docs/PROTOCOL.md §4). */
function digestBytes(digest: string): { bytes: Uint8Array; flags: number } {
  const outOfOrder = digest.startsWith(CHUNK_LIST_DIGEST_PREFIX)
  const prefix = outOfOrder ? CHUNK_LIST_DIGEST_PREFIX : IN_ORDER_DIGEST_PREFIX
  if (!digest.startsWith(prefix) || digest.length !== prefix.length + 2 * DIGEST_BYTES)
    throw new FrameCorruptError(`digest ${digest} is not sha256`)
  return {
    bytes: Uint8Array.from(Buffer.from(digest.slice(prefix.length), 'hex')),
    flags: outOfOrder ? FLAG_OUT_OF_ORDER : 0,
  }
}

function digestText(bytes: Uint8Array, outOfOrder: boolean): string {
  if (bytes.byteLength !== DIGEST_BYTES) throw new FrameCorruptError('digest must be 32 bytes')
  return (outOfOrder ? CHUNK_LIST_DIGEST_PREFIX : IN_ORDER_DIGEST_PREFIX) + Buffer.from(bytes).toString('hex')
}

function parseMetadata(json: string): Record<string, string> {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new FrameCorruptError('metadata is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FrameCorruptError('metadata must be an object')
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new FrameCorruptError(`metadata ${key} is not a string`)
    out[key] = item
  }
  return out
}
