import { InvalidArgumentError, NotStartedError, StateCorruptError } from '@dwcp/core'
import Database from 'better-sqlite3'
import type { CrdtStore } from '../crdt/crdt-store.js'
import { createStore, identifyStore, upgradeStore } from './schema.js'
import { translateSqliteError } from './sqlite-errors.js'

/** Where a node's CRDT state lives and whose it is: the same file and owner as its Raft storage. */
export interface SqliteCrdtStoreOptions {
  /** File of the store (conventionally `state.db` in the node's data directory); created when missing. */
  path: string
  /** The node the store belongs to: a store written by another node is refused. */
  nodeId: string
  /** The cluster the store belongs to; omitted: not recorded (new store) or not checked (existing one). */
  clusterId?: string | undefined
}

/** A {@link CrdtStore} in one SQLite file, to be closed by its owner. */
export interface SqliteCrdtStore extends CrdtStore {
  /** The file the store lives in. */
  readonly path: string
  /** Closes the file (checkpointing the write-ahead log into it). */
  close(): void
}

/**
 * The CRDT table, added beside the Raft tables of a state store. `IF NOT EXISTS` because a store is created
 * (and versioned) by whichever of the Raft or CRDT storage opens it first: the table is an addition that the
 * Raft side ignores, so it does not change the schema version.
 */
const CREATE_CRDT_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS crdt_updates (
  seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  data BLOB NOT NULL
);
`

/**
 * Opens (creating when missing) the CRDT updates of one node in its SQLite state store (`state.db`): one row
 * per Yjs update, replaced by a single merged update when the replicator compacts. Every `append` and
 * `compact` is one transaction synced to disk before it returns (WAL, `synchronous = FULL`, as the Raft
 * storage), so a write acknowledged by `set()` survives a crash. The file's identity is checked with the Raft
 * storage's rules before anything is written to it.
 *
 * @throws StateCorruptError when the file is not a SQLite database or fails `PRAGMA quick_check`.
 * @throws StateForeignError when it is another application's database, another schema version, or belongs to
 *   another node or cluster.
 * @throws InvalidArgumentError when an option is malformed.
 */
export function openSqliteCrdtStore(options: SqliteCrdtStoreOptions): SqliteCrdtStore {
  const { path, nodeId, clusterId } = options
  if (typeof path !== 'string' || path === '')
    throw new InvalidArgumentError('path', 'must be a non-empty string')
  if (typeof nodeId !== 'string' || nodeId === '')
    throw new InvalidArgumentError('nodeId', 'must be a non-empty string')
  let db: Database.Database
  try {
    db = new Database(path)
  } catch (error) {
    throw translateSqliteError(error, path)
  }
  try {
    const problems = (db.pragma('quick_check') as { quick_check: string }[])
      .map((row) => row.quick_check)
      .filter((result) => result !== 'ok')
    if (problems.length > 0)
      throw new StateCorruptError(path, `quick_check: ${problems.slice(0, 3).join('; ')}`)
    const kind = identifyStore(db, path, { nodeId, clusterId })
    // WAL: a commit syncs one file once. FULL (set after the journal mode, which may lower it): the WAL is
    // synced at every commit, so an acknowledged write is on disk.
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    if (kind === 'empty') createStore(db, { nodeId, clusterId })
    if (kind === 'dwcp-v1') upgradeStore(db)
    db.exec(CREATE_CRDT_TABLE_SQL)
    return new SqliteCrdtUpdates(db, path)
  } catch (error) {
    db.close()
    throw translateSqliteError(error, path)
  }
}

class SqliteCrdtUpdates implements SqliteCrdtStore {
  #closed = false
  #count: number
  readonly #insert: Database.Statement<[Buffer]>
  readonly #selectAll: Database.Statement<[], { data: Buffer }>
  readonly #compact: (stateUpdate: Uint8Array) => void

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.#insert = db.prepare('INSERT INTO crdt_updates (data) VALUES (?)')
    this.#selectAll = db.prepare('SELECT data FROM crdt_updates ORDER BY seq')
    const deleteAll = db.prepare('DELETE FROM crdt_updates')
    this.#count = (db.prepare('SELECT count(*) AS n FROM crdt_updates').get() as { n: number }).n
    this.#compact = db.transaction((stateUpdate: Uint8Array) => {
      deleteAll.run()
      this.#insert.run(toBuffer(stateUpdate))
    })
  }

  get updateCount(): number {
    return this.#count
  }

  load(): Uint8Array[] {
    this.#ensureOpen()
    try {
      return this.#selectAll.all().map((row) => new Uint8Array(row.data))
    } catch (error) {
      throw translateSqliteError(error, this.path)
    }
  }

  append(update: Uint8Array): void {
    this.#ensureOpen()
    try {
      this.#insert.run(toBuffer(update))
    } catch (error) {
      throw translateSqliteError(error, this.path)
    }
    this.#count++
  }

  compact(stateUpdate: Uint8Array): void {
    this.#ensureOpen()
    try {
      this.#compact(stateUpdate)
    } catch (error) {
      throw translateSqliteError(error, this.path)
    }
    this.#count = 1
  }

  close(): void {
    this.#ensureOpen()
    this.#closed = true
    this.db.close()
  }

  #ensureOpen(): void {
    if (this.#closed) throw new NotStartedError(`crdt store ${this.path} (closed)`)
  }
}

/** A Buffer view of the bytes (better-sqlite3 binds Buffers as BLOBs), copying nothing. */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
