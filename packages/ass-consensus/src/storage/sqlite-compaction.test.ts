import { isDwcpError } from '@dwcp/core'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { Entry, Snapshot } from '../raft/types.js'
import { verifyStateFile } from './state-file.js'
import { useTempStores } from './test-fixtures/temp-stores.js'

const CHUNK_BYTES = 64

const stores = useTempStores('dwcp-raft-compaction-')
const { statePath } = stores
const open = () => stores.open({ snapshotChunkBytes: CHUNK_BYTES })

function entries(fromIndex: number, count: number, term: number): Entry[] {
  return Array.from({ length: count }, (_, offset) => ({
    index: fromIndex + offset,
    term,
    data: Uint8Array.of(term, fromIndex + offset),
  }))
}

/** A snapshot of `sizeBytes` bytes that differ from one another, so that a piece out of place shows. */
function snapshotAt(index: number, sizeBytes: number, voters = ['n1', 'n2', 'n3']): Snapshot {
  const data = Uint8Array.from({ length: sizeBytes }, (_, i) => (i * 7 + index) % 251)
  return { index, term: 1, voters, data }
}

/** Runs every step; returns how many there were. */
function runSteps(step: () => boolean): number {
  let steps = 1
  while (!step()) steps++
  return steps
}

const chunkRows = (db: Database.Database) =>
  (db.prepare('SELECT count(*) AS n FROM snapshot_chunks').get() as { n: number }).n

describe('SqliteRaftStorage.beginCompaction (a snapshot written in pieces)', () => {
  it('stores the same snapshot as compact, one piece per step, and keeps the entries after it', () => {
    const storage = open()
    storage.save({ entries: entries(1, 30, 1), hardState: { term: 1, vote: 'n1', commit: 30 } })
    const snapshot = snapshotAt(20, 10 * CHUNK_BYTES + 5)
    const steps = runSteps(storage.beginCompaction(snapshot))
    // 11 pieces, the step that puts the snapshot in place, and the cleanup that finds nothing to delete.
    expect(steps).toBe(13)
    const loaded = storage.load()
    expect(loaded.snapshot).toEqual({ ...snapshot, data: expect.any(Uint8Array) })
    expect(Buffer.from(loaded.snapshot!.data).equals(Buffer.from(snapshot.data))).toBe(true)
    expect(loaded.entries.map((e) => e.index)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i))
    storage.close()
    const reopened = open().load()
    expect(Buffer.from(reopened.snapshot!.data).equals(Buffer.from(snapshot.data))).toBe(true)
  })

  it('leaves the previous snapshot and the whole log until its last piece is written', () => {
    const storage = open()
    storage.save({ entries: entries(1, 30, 1), hardState: { term: 1, vote: 'n1', commit: 30 } })
    const first = snapshotAt(10, 3 * CHUNK_BYTES)
    runSteps(storage.beginCompaction(first))
    const step = storage.beginCompaction(snapshotAt(25, 5 * CHUNK_BYTES))
    for (let i = 0; i < 4; i++) expect(step()).toBe(false)
    // A crash here: the store is closed with pieces written and the snapshot not yet in place.
    storage.close()
    const loaded = open().load()
    expect(loaded.snapshot?.index).toBe(10)
    expect(Buffer.from(loaded.snapshot!.data).equals(Buffer.from(first.data))).toBe(true)
    expect(loaded.entries[0]?.index).toBe(11)
    expect(loaded.entries.at(-1)?.index).toBe(30)
  })

  it('deletes the previous snapshot’s pieces, and pieces left by a crash, once the new one is in place', () => {
    let storage = open()
    storage.save({ entries: entries(1, 40, 1), hardState: { term: 1, vote: 'n1', commit: 40 } })
    runSteps(storage.beginCompaction(snapshotAt(10, 3 * CHUNK_BYTES)))
    const abandoned = storage.beginCompaction(snapshotAt(20, 4 * CHUNK_BYTES))
    abandoned()
    abandoned()
    storage.close()
    storage = open()
    runSteps(storage.beginCompaction(snapshotAt(30, 2 * CHUNK_BYTES)))
    storage.close()
    const db = new Database(statePath(), { readonly: true })
    expect(chunkRows(db)).toBe(2)
    db.close()
  })

  it('is abandoned when a snapshot from the leader is installed meanwhile', () => {
    const storage = open()
    storage.save({ entries: entries(1, 30, 1), hardState: { term: 1, vote: 'n1', commit: 30 } })
    const step = storage.beginCompaction(snapshotAt(20, 6 * CHUNK_BYTES))
    step()
    step()
    const installed = snapshotAt(50, 100)
    storage.save({ snapshot: installed, entries: [], hardState: { term: 2, vote: undefined, commit: 50 } })
    expect(step()).toBe(true)
    const loaded = storage.load()
    expect(loaded.snapshot?.index).toBe(50)
    expect(Buffer.from(loaded.snapshot!.data).equals(Buffer.from(installed.data))).toBe(true)
    expect(loaded.entries).toEqual([])
  })

  it('stores a snapshot no larger than one piece in its first step', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 'n1', commit: 5 } })
    const step = storage.beginCompaction(snapshotAt(3, CHUNK_BYTES))
    expect(step()).toBe(true)
    expect(storage.load().snapshot?.index).toBe(3)
  })

  it('checks the snapshot when it begins, as compact does', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 2), hardState: { term: 2, vote: 'n1', commit: 5 } })
    const error = (() => {
      try {
        storage.beginCompaction(snapshotAt(3, 10 * CHUNK_BYTES))
      } catch (thrown) {
        return thrown
      }
    })()
    expect(isDwcpError(error) && error.code).toBe('DWCP_ERR_INVALID_ARGUMENT')
  })

  it('reports a snapshot missing a piece as corrupt', () => {
    const storage = open()
    storage.save({ entries: entries(1, 30, 1), hardState: { term: 1, vote: 'n1', commit: 30 } })
    runSteps(storage.beginCompaction(snapshotAt(20, 4 * CHUNK_BYTES)))
    storage.close()
    const db = new Database(statePath())
    db.prepare('DELETE FROM snapshot_chunks WHERE seq = 2').run()
    db.close()
    const error = (() => {
      try {
        open()
      } catch (thrown) {
        return thrown
      }
    })()
    const loadError =
      error ??
      (() => {
        try {
          stores.opened.at(-1)!.load()
        } catch (thrown) {
          return thrown
        }
      })()
    expect(isDwcpError(loadError) && loadError.code).toBe('DWCP_ERR_STATE_CORRUPT')
  })
})

describe('a store of schema version 1', () => {
  /** The version-1 layout, as a store written by an earlier release has it. */
  function writeVersion1Store(path: string): void {
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma(`application_id = ${0x44574350}`)
    db.pragma('user_version = 1')
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT) WITHOUT ROWID;
      CREATE TABLE hard_state (id INTEGER PRIMARY KEY CHECK (id = 1), term INTEGER NOT NULL, vote TEXT,
        commit_index INTEGER NOT NULL);
      CREATE TABLE entries (idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, has_data INTEGER NOT NULL,
        data BLOB, voters TEXT);
      CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), idx INTEGER NOT NULL, term INTEGER NOT NULL,
        voters TEXT NOT NULL, data BLOB);
    `)
    const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
    meta.run('format', 'dwcp-raft-state')
    meta.run('node_id', 'n1')
    meta.run('cluster_id', 'c1')
    db.prepare('INSERT INTO hard_state VALUES (1, 3, ?, 12)').run('n2')
    db.prepare('INSERT INTO snapshot VALUES (1, 10, 2, ?, ?)').run(
      '["n1","n2","n3"]',
      Buffer.from('state@10'),
    )
    const entry = db.prepare('INSERT INTO entries VALUES (?, ?, 1, ?, NULL)')
    for (let index = 11; index <= 12; index++) entry.run(index, 3, Buffer.from(`e${index}`))
    db.close()
  }

  it('is verified as it is, and upgraded in place when opened for writing', async () => {
    writeVersion1Store(statePath())
    const info = await verifyStateFile(statePath(), { nodeId: 'n1', clusterId: 'c1' })
    expect(info).toMatchObject({ schemaVersion: 1, snapshotIndex: 10, lastIndex: 12, term: 3 })
    const storage = open()
    const loaded = storage.load()
    expect(loaded.hardState).toEqual({ term: 3, vote: 'n2', commit: 12 })
    expect(Buffer.from(loaded.snapshot!.data).toString()).toBe('state@10')
    expect(loaded.entries.map((e) => Buffer.from(e.data!).toString())).toEqual(['e11', 'e12'])
    runSteps(
      storage.beginCompaction({ index: 12, term: 3, voters: ['n1', 'n2', 'n3'], data: new Uint8Array(200) }),
    )
    storage.close()
    const upgraded = await verifyStateFile(statePath(), { nodeId: 'n1', clusterId: 'c1' })
    expect(upgraded).toMatchObject({ schemaVersion: 2, snapshotIndex: 12, lastIndex: 12 })
  })
})
