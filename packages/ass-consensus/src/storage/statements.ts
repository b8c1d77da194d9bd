import type Database from 'better-sqlite3'
import type { EntryRow, HardStateRow, SnapshotRow } from './rows.js'

/** Statements prepared once: `save` runs on Raft's hot path, and preparing is a large part of a small insert. */
export interface Statements {
  selectHardState: Database.Statement<[], HardStateRow>
  updateHardState: Database.Statement<[number, string | null, number]>
  selectSnapshot: Database.Statement<[], SnapshotRow>
  /** Only in a store of the current version (a version-1 store is only read). */
  chunks?: ChunkStatements
  selectEntriesAfter: Database.Statement<[number], EntryRow>
  selectFirstIndex: Database.Statement<[], { idx: number | null }>
  selectEntryTerm: Database.Statement<[number], { term: number }>
  selectLastIndex: Database.Statement<[], { idx: number | null }>
  insertEntry: Database.Statement<[number, number, number, Buffer | null, string | null]>
  deleteAllEntries: Database.Statement<[]>
  deleteEntriesFrom: Database.Statement<[number]>
  deleteEntriesThrough: Database.Statement<[number]>
}

/** The statements that write snapshots, and read them in pieces (schema version 2). */
export interface ChunkStatements {
  upsertSnapshot: Database.Statement<[number, number, string, Buffer | null, number]>
  selectChunks: Database.Statement<[number], { seq: number; data: Buffer }>
  insertChunk: Database.Statement<[number, number, Buffer]>
  deleteChunksOf: Database.Statement<[number]>
  deleteAllChunks: Database.Statement<[]>
  /** Deletes up to `limit` rows of snapshots other than the one at `idx`. */
  deleteOtherChunks: Database.Statement<[number, number]>
}

/**
 * Prepares every statement of {@link Statements} on `db`, a DWCP state store of `schemaVersion` (a version-1
 * store gets only what reading needs).
 */
export function prepareStatements(db: Database.Database, schemaVersion: number): Statements {
  const v2 = schemaVersion >= 2
  return {
    selectHardState: db.prepare('SELECT term, vote, commit_index FROM hard_state WHERE id = 1'),
    updateHardState: db.prepare('UPDATE hard_state SET term = ?, vote = ?, commit_index = ? WHERE id = 1'),
    selectSnapshot: db.prepare(
      `SELECT idx, term, voters, data, ${v2 ? 'chunks' : '0 AS chunks'} FROM snapshot WHERE id = 1`,
    ),
    ...(v2 ? { chunks: prepareChunkStatements(db) } : {}),
    selectEntriesAfter: db.prepare(
      'SELECT idx, term, has_data, data, voters FROM entries WHERE idx > ? ORDER BY idx',
    ),
    selectFirstIndex: db.prepare('SELECT min(idx) AS idx FROM entries'),
    selectEntryTerm: db.prepare('SELECT term FROM entries WHERE idx = ?'),
    selectLastIndex: db.prepare('SELECT max(idx) AS idx FROM entries'),
    insertEntry: db.prepare('INSERT INTO entries (idx, term, has_data, data, voters) VALUES (?, ?, ?, ?, ?)'),
    deleteAllEntries: db.prepare('DELETE FROM entries'),
    deleteEntriesFrom: db.prepare('DELETE FROM entries WHERE idx >= ?'),
    deleteEntriesThrough: db.prepare('DELETE FROM entries WHERE idx <= ?'),
  }
}

function prepareChunkStatements(db: Database.Database): ChunkStatements {
  return {
    upsertSnapshot: db.prepare(
      'INSERT OR REPLACE INTO snapshot (id, idx, term, voters, data, chunks) VALUES (1, ?, ?, ?, ?, ?)',
    ),
    selectChunks: db.prepare('SELECT seq, data FROM snapshot_chunks WHERE idx = ? ORDER BY seq'),
    insertChunk: db.prepare('INSERT OR REPLACE INTO snapshot_chunks (idx, seq, data) VALUES (?, ?, ?)'),
    deleteChunksOf: db.prepare('DELETE FROM snapshot_chunks WHERE idx = ?'),
    deleteAllChunks: db.prepare('DELETE FROM snapshot_chunks'),
    deleteOtherChunks: db.prepare(
      'DELETE FROM snapshot_chunks WHERE rowid IN (SELECT rowid FROM snapshot_chunks WHERE idx <> ? LIMIT ?)',
    ),
  }
}
