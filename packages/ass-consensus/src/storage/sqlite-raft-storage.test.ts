import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDwcpError } from '@dwcp/core'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { Entry, Snapshot } from '../raft/types.js'
import { openSqliteRaftStorage } from './sqlite-raft-storage.js'
import { useTempStores } from './test-fixtures/temp-stores.js'

const stores = useTempStores('dwcp-raft-storage-')
const { statePath, open } = stores

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

function entries(fromIndex: number, count: number, term: number): Entry[] {
  return Array.from({ length: count }, (_, offset) => ({
    index: fromIndex + offset,
    term,
    data: bytes(term, fromIndex + offset),
  }))
}

function errorOf(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected the action to throw')
}

describe('openSqliteRaftStorage', () => {
  it('starts a new store at term 0 with an empty log and no snapshot', () => {
    expect(open().load()).toStrictEqual({
      hardState: { term: 0, vote: undefined, commit: 0 },
      entries: [],
      snapshot: undefined,
    })
  })

  it('round-trips data, no data, empty data and voters exactly', () => {
    const written: Entry[] = [
      { index: 1, term: 1, data: bytes(1, 2, 3) },
      { index: 2, term: 1, data: undefined },
      { index: 3, term: 2, data: new Uint8Array(0) },
      { index: 4, term: 2, data: undefined, voters: ['n1', 'n2', 'n3'] },
      { index: 5, term: 2, data: bytes(9), voters: [] },
    ]
    const storage = open()
    storage.save({ entries: written, hardState: { term: 2, vote: 'n2', commit: 3 } })
    const loaded = storage.load()
    expect(loaded.entries).toStrictEqual(written)
    expect(loaded.entries[1]?.data).toBeUndefined()
    expect(loaded.entries[2]?.data).toBeInstanceOf(Uint8Array)
    expect(loaded.entries[2]?.data?.byteLength).toBe(0)
    expect('voters' in (loaded.entries[0] as Entry)).toBe(false)
    expect(loaded.hardState).toStrictEqual({ term: 2, vote: 'n2', commit: 3 })
  })

  it('stores bytes of a view without the rest of its buffer', () => {
    const backing = bytes(0, 1, 2, 3, 4, 5)
    const storage = open()
    storage.save({ entries: [{ index: 1, term: 1, data: backing.subarray(2, 4) }] })
    expect(storage.load().entries[0]?.data).toStrictEqual(bytes(2, 3))
  })

  it('keeps the hard state when an update carries none, and clears a vote', () => {
    const storage = open()
    storage.save({ entries: [], hardState: { term: 3, vote: 'n1', commit: 0 } })
    storage.save({ entries: entries(1, 1, 3) })
    expect(storage.load().hardState).toStrictEqual({ term: 3, vote: 'n1', commit: 0 })
    storage.save({ entries: [], hardState: { term: 4, vote: undefined, commit: 1 } })
    expect(storage.load().hardState).toStrictEqual({ term: 4, vote: undefined, commit: 1 })
  })

  it('replaces a conflicting suffix', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 1) })
    storage.save({ entries: entries(3, 2, 2) })
    expect(storage.load().entries).toStrictEqual([...entries(1, 2, 1), ...entries(3, 2, 2)])
  })

  it('replaces the whole log when installing a snapshot', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 1) })
    const snapshot: Snapshot = { index: 10, term: 2, voters: ['n1', 'n2'], data: bytes(7, 7) }
    storage.save({
      snapshot,
      entries: entries(11, 1, 3),
      hardState: { term: 3, vote: undefined, commit: 10 },
    })
    expect(storage.load()).toStrictEqual({
      hardState: { term: 3, vote: undefined, commit: 10 },
      entries: entries(11, 1, 3),
      snapshot,
    })
  })

  it('installs a snapshot behind the log end, dropping the entries after it too', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 1) })
    const snapshot: Snapshot = { index: 3, term: 1, voters: ['n1'], data: new Uint8Array(0) }
    storage.save({ snapshot, entries: [] })
    expect(storage.load()).toMatchObject({ entries: [], snapshot })
    storage.save({ entries: entries(4, 1, 2) })
    expect(storage.load().entries).toStrictEqual(entries(4, 1, 2))
  })

  it('compacts the entries a snapshot covers and keeps the rest', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 1) })
    const snapshot: Snapshot = { index: 3, term: 1, voters: ['n1'], data: bytes(3) }
    storage.compact(snapshot)
    expect(storage.load()).toMatchObject({ entries: entries(4, 2, 1), snapshot })
    storage.compact({ ...snapshot, index: 5, data: bytes(5) })
    expect(storage.load()).toMatchObject({ entries: [], snapshot: { index: 5, data: bytes(5) } })
    storage.save({ entries: entries(6, 1, 1) })
    expect(storage.load().entries).toStrictEqual(entries(6, 1, 1))
  })

  it('prunes the rows a compaction covers over the following saves, 2,000 per save, invisible to load', () => {
    const storage = open()
    const rows = () => {
      const db = new Database(statePath(), { readonly: true })
      try {
        return (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n
      } finally {
        db.close()
      }
    }
    storage.save({ entries: entries(1, 5_000, 1) })
    storage.compact({ index: 4_500, term: 1, voters: ['n1'], data: bytes(1) })
    expect(rows()).toBe(5_000)
    expect(storage.load().entries).toStrictEqual(entries(4_501, 500, 1))
    // A store reopened before any pruning loads the same log.
    storage.close()
    const reopened = open()
    expect(reopened.load().entries).toStrictEqual(entries(4_501, 500, 1))
    const counts: number[] = []
    for (let i = 0; i < 4; i++) {
      reopened.save({ entries: [], hardState: { term: 1, vote: 'n1', commit: 4_500 + i } })
      counts.push(rows())
    }
    expect(counts).toEqual([3_000, 1_000, 500, 500])
    expect(reopened.load().entries).toStrictEqual(entries(4_501, 500, 1))
  })

  it('refuses a compaction older than the stored snapshot or disagreeing with the log', () => {
    const storage = open()
    storage.save({ entries: entries(1, 5, 1) })
    storage.compact({ index: 3, term: 1, voters: ['n1'], data: bytes() })
    const older = errorOf(() => storage.compact({ index: 2, term: 1, voters: ['n1'], data: bytes() }))
    expect(isDwcpError(older, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    const wrongTerm = errorOf(() => storage.compact({ index: 4, term: 9, voters: ['n1'], data: bytes() }))
    expect(isDwcpError(wrongTerm, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect(storage.load()).toMatchObject({ entries: entries(4, 2, 1), snapshot: { index: 3 } })
  })

  it('refuses malformed or misplaced entries and leaves the store unchanged', () => {
    const storage = open()
    storage.save({ entries: entries(1, 3, 1) })
    storage.compact({ index: 1, term: 1, voters: ['n1'], data: bytes() })
    const before = storage.load()
    const invalid: Entry[][] = [
      [{ index: 0, term: 1, data: undefined }],
      [{ index: 1.5, term: 1, data: undefined }],
      [{ index: 1, term: 1, data: undefined }],
      [{ index: 5, term: 1, data: undefined }],
      [
        { index: 2, term: 1, data: undefined },
        { index: 4, term: 1, data: undefined },
      ],
      [{ index: 2, term: -1, data: undefined }],
      [{ index: 2, term: 0.5, data: undefined }],
      [{ index: 2, term: 1, data: 'text' as unknown as Uint8Array }],
      [{ index: 2, term: 1, data: undefined, voters: [1] as unknown as string[] }],
    ]
    for (const bad of invalid) {
      expect(
        isDwcpError(
          errorOf(() => storage.save({ entries: bad })),
          'DWCP_ERR_INVALID_ARGUMENT',
        ),
      ).toBe(true)
    }
    const badHardState = { term: 1, vote: 7 as unknown as string, commit: 0 }
    expect(
      isDwcpError(
        errorOf(() => storage.save({ entries: [], hardState: badHardState })),
        'DWCP_ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true)
    expect(storage.load()).toStrictEqual(before)
  })

  it('gives the same load() after close and reopen', () => {
    const first = open()
    first.save({ entries: entries(1, 4, 1), hardState: { term: 1, vote: 'n1', commit: 2 } })
    first.compact({ index: 2, term: 1, voters: ['n1', 'n2'], data: bytes(2) })
    first.save({ entries: [{ index: 5, term: 2, data: undefined, voters: ['n1'] }] })
    const before = first.load()
    first.close()
    expect(open().load()).toStrictEqual(before)
  })

  it('accepts a reopen that does not name the cluster', () => {
    open().close()
    expect(() => openSqliteRaftStorage({ path: statePath(), nodeId: 'n1' }).close()).not.toThrow()
  })

  it('throws on every call after close', () => {
    const storage = open()
    storage.close()
    for (const call of [
      () => storage.load(),
      () => storage.save({ entries: [] }),
      () => storage.compact({ index: 0, term: 0, voters: [], data: bytes() }),
      () => storage.close(),
    ]) {
      expect(isDwcpError(errorOf(call), 'DWCP_ERR_NOT_STARTED')).toBe(true)
    }
  })
})

describe('openSqliteRaftStorage on a file that is not this node’s store', () => {
  function expectForeign(action: () => unknown): void {
    const error = errorOf(action)
    expect(isDwcpError(error, 'DWCP_ERR_STATE_FOREIGN'), String(error)).toBe(true)
  }

  function expectCorrupt(action: () => unknown): void {
    const error = errorOf(action)
    expect(isDwcpError(error, 'DWCP_ERR_STATE_CORRUPT'), String(error)).toBe(true)
  }

  it('refuses another node’s store', () => {
    open().close()
    expectForeign(() => open({ nodeId: 'n2' }))
  })

  it('refuses another cluster’s store, and a store bound to no cluster when one is named', () => {
    open().close()
    expectForeign(() => open({ clusterId: 'c2' }))
    const unbound = join(stores.directory(), 'unbound.db')
    openSqliteRaftStorage({ path: unbound, nodeId: 'n1' }).close()
    expectForeign(() => open({ path: unbound }))
  })

  it('refuses another application’s database without changing it', () => {
    const foreign = new Database(statePath())
    foreign.exec(
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES (1)',
    )
    foreign.close()
    const before = readFileSync(statePath())
    expectForeign(() => open())
    expect(readFileSync(statePath())).toStrictEqual(before)
  })

  it('refuses a store of an unknown schema version', () => {
    open().close()
    const db = new Database(statePath())
    db.pragma('user_version = 99')
    db.close()
    expectForeign(() => open())
  })

  it('reports a file of garbage bytes as corrupt', () => {
    writeFileSync(statePath(), Buffer.from('this is not a database, just some bytes '.repeat(200)))
    expectCorrupt(() => open())
  })

  it('reports a truncated store as corrupt', () => {
    const storage = open()
    const big = new Uint8Array(4000).fill(0xab)
    for (let index = 1; index <= 100; index += 1) storage.save({ entries: [{ index, term: 1, data: big }] })
    storage.close()
    truncateSync(statePath(), Math.floor(statSync(statePath()).size / 2))
    expectCorrupt(() => open().load())
  })
})
