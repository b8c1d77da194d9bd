import type Database from 'better-sqlite3'
import type { EntryRow, HardStateRow, SnapshotRow } from './rows.js'

/** Statements prepared once: `save` runs on Raft's hot path, and preparing is a large part of a small insert. */
export interface Statements {
  selectHardState: Database.Statement<[], HardStateRow>
  updateHardState: Database.Statement<[number, string | null, number]>
  selectSnapshot: Database.Statement<[], SnapshotRow>
  upsertSnapshot: Database.Statement<[number, number, string, Buffer]>
  selectEntriesAfter: Database.Statement<[number], EntryRow>
  selectFirstIndex: Database.Statement<[], { idx: number | null }>
  selectEntryTerm: Database.Statement<[number], { term: number }>
  selectLastIndex: Database.Statement<[], { idx: number | null }>
  insertEntry: Database.Statement<[number, number, number, Buffer | null, string | null]>
  deleteAllEntries: Database.Statement<[]>
  deleteEntriesFrom: Database.Statement<[number]>
  deleteEntriesThrough: Database.Statement<[number]>
}

/** Prepares every statement of {@link Statements} on `db` (a DWCP state store of the current schema). */
export function prepareStatements(db: Database.Database): Statements {
  return {
    selectHardState: db.prepare('SELECT term, vote, commit_index FROM hard_state WHERE id = 1'),
    updateHardState: db.prepare('UPDATE hard_state SET term = ?, vote = ?, commit_index = ? WHERE id = 1'),
    selectSnapshot: db.prepare('SELECT idx, term, voters, data FROM snapshot WHERE id = 1'),
    upsertSnapshot: db.prepare(
      'INSERT OR REPLACE INTO snapshot (id, idx, term, voters, data) VALUES (1, ?, ?, ?, ?)',
    ),
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
