import { FrameCorruptError, FrameTooLargeError, InvalidArgumentError } from '@dwcp/core'
import type {
  AppendRequest,
  AppendResponse,
  Entry,
  Message,
  NodeId,
  Snapshot,
  VoteRequest,
} from '../raft/types.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import {
  DEFAULT_RAFT_WIRE_LIMITS,
  ENTRY_HAS_DATA,
  ENTRY_HAS_VOTERS,
  OPTIONAL_ABSENT,
  OPTIONAL_FALSE_OR_PRESENT,
  OPTIONAL_TRUE,
  RAFT_WIRE_TYPES,
  RAFT_WIRE_VERSION,
  type RaftWireLimits,
} from './wire-limits.js'

type MessageType = Message['type']
const TYPE_BY_CODE = new Map<number, MessageType>(
  Object.entries(RAFT_WIRE_TYPES).map(([type, code]) => [code, type as MessageType]),
)
/** The fewest bytes an encoded entry takes (term, kind; its index is implied by its position). */
const ENTRY_BYTES_MIN = 2
/** The fewest bytes an encoded node id takes (length, one byte). */
const ID_BYTES_MIN = 2

/**
 * Encodes a Raft message: version byte, type byte, sender, receiver and term, then the fields of its type.
 * Numbers are unsigned LEB128 varints, node ids length-prefixed UTF-8, byte strings length-prefixed. The
 * entries of an append do not carry their index: it follows from `prevIndex` and their position.
 * Throws `InvalidArgumentError` for a message no decoder would accept back (a negative or fractional number,
 * an empty or malformed id, entries whose indices do not follow `prevIndex`, a repeated voter).
 */
export function encodeRaftMessage(m: Message): Uint8Array {
  const w = new ByteWriter()
  w.u8(RAFT_WIRE_VERSION)
  const code = RAFT_WIRE_TYPES[m.type]
  if (code === undefined) throw new InvalidArgumentError('type', `unknown message type ${String(m.type)}`)
  w.u8(code)
  w.id('from', m.from)
  w.id('to', m.to)
  w.varint('term', m.term)
  switch (m.type) {
    case 'vote':
    case 'preVote':
      w.varint('lastIndex', m.lastIndex)
      w.varint('lastTerm', m.lastTerm)
      w.u8(
        m.transfer === undefined ? OPTIONAL_ABSENT : m.transfer ? OPTIONAL_TRUE : OPTIONAL_FALSE_OR_PRESENT,
      )
      break
    case 'voteResponse':
    case 'preVoteResponse':
      w.u8(m.granted ? 1 : 0)
      break
    case 'append':
      w.varint('prevIndex', m.prevIndex)
      w.varint('prevTerm', m.prevTerm)
      w.varint('commit', m.commit)
      writeOptionalNumber(w, 'readSeq', m.readSeq)
      w.varint('entries', m.entries.length)
      m.entries.forEach((entry, i) => {
        writeEntry(w, entry, m.prevIndex + 1 + i)
      })
      break
    case 'appendResponse':
      w.u8(m.success ? 1 : 0)
      w.varint('matchIndex', m.matchIndex)
      w.varint('rejectedIndex', m.rejectedIndex)
      w.varint('lastIndex', m.lastIndex)
      writeOptionalNumber(w, 'readSeq', m.readSeq)
      break
    case 'timeoutNow':
      break
    case 'snapshot':
      writeSnapshot(w, m.snapshot)
      break
  }
  return w.finish()
}

/**
 * Decodes one Raft message, bounded by `limits`: a message over `maxMessageBytes` is refused with
 * `FrameTooLargeError` before anything is read; every other defect (truncation, trailing bytes, an unknown
 * version or type, a non-canonical number or flag, a count or id over its limit, invalid UTF-8, a repeated
 * voter) throws `FrameCorruptError`. Numbers on the wire are unsigned varints, so a decoded number is always a
 * non-negative safe integer. What decodes re-encodes to exactly `bytes`.
 */
export function decodeRaftMessage(bytes: Uint8Array, limits: Partial<RaftWireLimits> = {}): Message {
  const bounds: RaftWireLimits = { ...DEFAULT_RAFT_WIRE_LIMITS, ...limits }
  if (bytes.byteLength > bounds.maxMessageBytes)
    throw new FrameTooLargeError(bytes.byteLength, bounds.maxMessageBytes)
  const r = new ByteReader(bytes)
  const version = r.u8('version')
  if (version !== RAFT_WIRE_VERSION) throw new FrameCorruptError(`unknown raft wire version ${version}`)
  const code = r.u8('type')
  const type = TYPE_BY_CODE.get(code)
  if (type === undefined) throw new FrameCorruptError(`unknown raft message type ${code}`)
  const from = r.id('from', bounds.maxIdBytes)
  const to = r.id('to', bounds.maxIdBytes)
  const term = r.varint('term')
  const message = decodeBody(r, type, { from, to, term }, bounds)
  r.end()
  return message
}

interface Header {
  from: NodeId
  to: NodeId
  term: number
}

function decodeBody(r: ByteReader, type: MessageType, h: Header, bounds: RaftWireLimits): Message {
  switch (type) {
    case 'vote':
    case 'preVote': {
      const lastIndex = r.varint('lastIndex')
      const lastTerm = r.varint('lastTerm')
      const transfer = r.choice('transfer', 3)
      const m: VoteRequest = { type, ...h, lastIndex, lastTerm }
      if (transfer !== OPTIONAL_ABSENT) m.transfer = transfer === OPTIONAL_TRUE
      return m
    }
    case 'voteResponse':
    case 'preVoteResponse':
      return { type, ...h, granted: r.choice('granted', 2) === 1 }
    case 'append': {
      const prevIndex = r.varint('prevIndex')
      const prevTerm = r.varint('prevTerm')
      const commit = r.varint('commit')
      const readSeq = readOptionalNumber(r, 'readSeq')
      const count = r.count('entries', bounds.maxEntries, ENTRY_BYTES_MIN)
      if (prevIndex + count > Number.MAX_SAFE_INTEGER) throw new FrameCorruptError('entry index overflows')
      const entries: Entry[] = []
      for (let i = 0; i < count; i++) entries.push(readEntry(r, prevIndex + 1 + i, bounds))
      const m: AppendRequest = { type, ...h, prevIndex, prevTerm, entries, commit }
      if (readSeq !== undefined) m.readSeq = readSeq
      return m
    }
    case 'appendResponse': {
      const success = r.choice('success', 2) === 1
      const matchIndex = r.varint('matchIndex')
      const rejectedIndex = r.varint('rejectedIndex')
      const lastIndex = r.varint('lastIndex')
      const readSeq = readOptionalNumber(r, 'readSeq')
      const m: AppendResponse = { type, ...h, success, matchIndex, rejectedIndex, lastIndex }
      if (readSeq !== undefined) m.readSeq = readSeq
      return m
    }
    case 'timeoutNow':
      return { type, ...h }
    case 'snapshot':
      return { type, ...h, snapshot: readSnapshot(r, bounds) }
  }
}

function writeOptionalNumber(w: ByteWriter, name: string, value: number | undefined): void {
  if (value === undefined) {
    w.u8(OPTIONAL_ABSENT)
    return
  }
  w.u8(OPTIONAL_FALSE_OR_PRESENT)
  w.varint(name, value)
}

function readOptionalNumber(r: ByteReader, field: string): number | undefined {
  return r.choice(field, 2) === OPTIONAL_ABSENT ? undefined : r.varint(field)
}

function writeEntry(w: ByteWriter, entry: Entry, expectedIndex: number): void {
  if (entry.index !== expectedIndex)
    throw new InvalidArgumentError('entries', `entry index ${entry.index} where ${expectedIndex} follows`)
  w.varint('entry term', entry.term)
  const kind = (entry.data !== undefined ? ENTRY_HAS_DATA : 0) | (entry.voters ? ENTRY_HAS_VOTERS : 0)
  w.u8(kind)
  if (entry.data !== undefined) w.bytes(entry.data)
  if (entry.voters) writeVoters(w, entry.voters)
}

function readEntry(r: ByteReader, index: number, bounds: RaftWireLimits): Entry {
  const term = r.varint('entry term')
  const kind = r.choice('entry kind', 4)
  const data = kind & ENTRY_HAS_DATA ? r.bytes('entry data') : undefined
  const entry: Entry = { term, index, data }
  if (kind & ENTRY_HAS_VOTERS) entry.voters = readVoters(r, bounds)
  return entry
}

function writeSnapshot(w: ByteWriter, snapshot: Snapshot): void {
  w.varint('snapshot index', snapshot.index)
  w.varint('snapshot term', snapshot.term)
  writeVoters(w, snapshot.voters)
  w.bytes(snapshot.data)
}

function readSnapshot(r: ByteReader, bounds: RaftWireLimits): Snapshot {
  const index = r.varint('snapshot index')
  const term = r.varint('snapshot term')
  const voters = readVoters(r, bounds)
  const data = r.bytes('snapshot data')
  return { index, term, voters, data }
}

function writeVoters(w: ByteWriter, voters: readonly NodeId[]): void {
  if (new Set(voters).size !== voters.length) throw new InvalidArgumentError('voters', 'repeat a node')
  w.varint('voters', voters.length)
  for (const voter of voters) w.id('voter', voter)
}

function readVoters(r: ByteReader, bounds: RaftWireLimits): NodeId[] {
  // Bounded by the bytes left: each id takes at least two, so no count can outgrow the message.
  const count = r.count('voters', Number.MAX_SAFE_INTEGER, ID_BYTES_MIN)
  const voters: NodeId[] = []
  const seen = new Set<NodeId>()
  for (let i = 0; i < count; i++) {
    const voter = r.id('voter', bounds.maxIdBytes)
    if (seen.has(voter)) throw new FrameCorruptError(`voter ${voter} appears twice`)
    seen.add(voter)
    voters.push(voter)
  }
  return voters
}
