import { StateCorruptError } from '@dwcp/core'
import type { Entry, HardState, NodeId, Snapshot } from '../raft/types.js'

/** An `entries` row as SQLite returns it. */
export interface EntryRow {
  idx: number
  term: number
  has_data: number
  data: Buffer | null
  voters: string | null
}

/** The `snapshot` row as SQLite returns it. */
export interface SnapshotRow {
  idx: number
  term: number
  voters: string
  data: Buffer | null
  /** 0: the bytes are in `data`; otherwise the number of `snapshot_chunks` rows holding them. */
  chunks: number
}

/** The `hard_state` row as SQLite returns it. */
export interface HardStateRow {
  term: number
  vote: string | null
  commit_index: number
}

/**
 * Bytes as a blob parameter. better-sqlite3 binds Buffers; a view over the same memory avoids copying the
 * payload on the hot path of `save`.
 */
export function toBlob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Voters as stored: JSON text, or NULL for an entry without a membership change. */
export function votersToText(voters: readonly NodeId[] | undefined): string | null {
  return voters === undefined ? null : JSON.stringify(voters)
}

/** An `entries` row back to an {@link Entry}; optional fields are left out rather than set to `undefined`. */
export function entryFromRow(row: EntryRow, path: string): Entry {
  const entry: Entry = {
    term: row.term,
    index: row.idx,
    data: row.has_data === 0 ? undefined : fromBlob(row.data),
  }
  if (row.voters !== null) entry.voters = votersFromText(row.voters, path, `entry ${row.idx}`)
  return entry
}

/**
 * The `snapshot` row back to a {@link Snapshot}; `chunkData` holds its bytes when the row says they are in
 * pieces (joined by the caller).
 */
export function snapshotFromRow(row: SnapshotRow, path: string, chunkData?: Uint8Array): Snapshot {
  return {
    index: row.idx,
    term: row.term,
    voters: votersFromText(row.voters, path, 'the snapshot'),
    data: row.chunks > 0 && chunkData !== undefined ? chunkData : fromBlob(row.data),
  }
}

/** The `hard_state` row back to a {@link HardState}. */
export function hardStateFromRow(row: HardStateRow): HardState {
  return { term: row.term, vote: row.vote ?? undefined, commit: row.commit_index }
}

/**
 * A copy in a plain Uint8Array: callers compare and keep what `load` returns, and a Buffer (a subclass that may
 * share a pooled allocation) would differ from the Uint8Array they saved.
 */
function fromBlob(blob: Buffer | null): Uint8Array {
  return blob === null ? new Uint8Array(0) : new Uint8Array(blob)
}

function votersFromText(text: string, path: string, where: string): NodeId[] {
  let voters: unknown
  try {
    voters = JSON.parse(text)
  } catch {
    throw new StateCorruptError(path, `voters of ${where} are not JSON`)
  }
  if (!Array.isArray(voters) || !voters.every((voter) => typeof voter === 'string')) {
    throw new StateCorruptError(path, `voters of ${where} are not a list of node ids`)
  }
  return voters
}
