import { InvalidArgumentError, StateCorruptError } from '@dwcp/core'
import Database from 'better-sqlite3'
import type { Snapshot } from '../raft/types.js'
import type { RaftStorage } from './raft-storage.js'
import { createStore, identifyStore, type StoreOwner, upgradeStore } from './schema.js'
import { translateSqliteError } from './sqlite-errors.js'
import { SqliteStore } from './sqlite-store.js'

/** Where a node's state store lives and whose it is. */
export interface SqliteRaftStorageOptions {
  /** File of the store (conventionally `state.db` in the node's data directory); created when missing. */
  path: string
  /** The node the store belongs to: a store written by another node is refused. */
  nodeId: string
  /**
   * The cluster the store belongs to. A new store records it; an existing one must have recorded the same.
   * Omitted: a new store is bound to no cluster and an existing one is not checked.
   */
  clusterId?: string | undefined
  /**
   * Size of the pieces a snapshot larger than this is written in by `beginCompaction`, one transaction each.
   * @default 256 KiB
   */
  snapshotChunkBytes?: number | undefined
}

/** A {@link RaftStorage} kept in one SQLite file. */
export interface SqliteRaftStorage extends RaftStorage {
  /** The file the store lives in. */
  readonly path: string
  /** Writes the snapshot in pieces of `snapshotChunkBytes`, one transaction per step. */
  beginCompaction(snapshot: Snapshot): () => boolean
}

/**
 * Opens (creating when missing) the durable Raft state of one node in a SQLite file: hard state, log entries
 * after the latest snapshot, and that snapshot. Every `save` and `compact` is one transaction, synced to disk
 * before it returns: a crash right after it returned loses nothing, a crash during it loses the whole update.
 * `beginCompaction` writes a large snapshot in pieces, one transaction each, and puts it in place with the last
 * one: until then the previous snapshot and the whole log stay, so a crash half-way loses nothing either.
 *
 * The file is checked before anything is written to it, so a wrong path never damages another file.
 *
 * @throws StateCorruptError when the file is not a SQLite database or fails `PRAGMA quick_check`.
 * @throws StateForeignError when it is another application's database, another schema version, or belongs to
 *   another node or cluster.
 * @throws InvalidArgumentError when an option is malformed.
 *
 * @example
 * ```ts
 * const storage = openSqliteRaftStorage({ path: 'data/state.db', nodeId: 'n1', clusterId: 'c1' })
 * const persisted = storage.load()
 * storage.save({ entries: [{ index: 1, term: 1, data: undefined }], hardState: { term: 1, vote: 'n1', commit: 0 } })
 * storage.close()
 * ```
 */
export function openSqliteRaftStorage(options: SqliteRaftStorageOptions): SqliteRaftStorage {
  const { path, nodeId, clusterId } = options
  if (typeof path !== 'string' || path === '')
    throw new InvalidArgumentError('path', 'must be a non-empty string')
  if (typeof nodeId !== 'string' || nodeId === '') {
    throw new InvalidArgumentError('nodeId', 'must be a non-empty string')
  }
  if (clusterId !== undefined && (typeof clusterId !== 'string' || clusterId === '')) {
    throw new InvalidArgumentError('clusterId', 'must be a non-empty string or undefined')
  }
  const chunkBytes = options.snapshotChunkBytes
  if (chunkBytes !== undefined && !(Number.isSafeInteger(chunkBytes) && chunkBytes > 0)) {
    throw new InvalidArgumentError('snapshotChunkBytes', 'must be a positive integer or undefined')
  }
  const owner: StoreOwner = { nodeId, clusterId }
  let db: Database.Database
  try {
    db = new Database(path)
  } catch (error) {
    throw translateSqliteError(error, path)
  }
  try {
    checkIntegrity(db, path)
    const kind = identifyStore(db, path, owner)
    applyDurabilityPragmas(db)
    if (kind === 'empty') createStore(db, owner)
    if (kind === 'dwcp-v1') upgradeStore(db)
    return new SqliteStore(db, path, { snapshotChunkBytes: options.snapshotChunkBytes })
  } catch (error) {
    db.close()
    throw translateSqliteError(error, path)
  }
}

/**
 * SQLite's own consistency check of the whole file. `quick_check` skips the index-versus-table cross-checks of
 * `integrity_check` (our tables have no secondary indexes) and so stays linear in the file size.
 */
function checkIntegrity(db: Database.Database, path: string): void {
  const results = db.pragma('quick_check') as { quick_check: string }[]
  const problems = results.map((row) => row.quick_check).filter((result) => result !== 'ok')
  if (problems.length > 0) {
    throw new StateCorruptError(path, `quick_check: ${problems.slice(0, 3).join('; ')}`)
  }
}

/** Set on every open: these pragmas belong to the connection (journal mode persists, but is cheap to repeat). */
function applyDurabilityPragmas(db: Database.Database): void {
  // Write-ahead log: a commit appends to the WAL and syncs that one file, instead of writing a rollback journal
  // and the database (two syncs), so a durable save costs a single sync: the disk's sync rate bounds saves/s.
  // It also makes a torn write harmless: an incompletely written WAL frame fails its checksum and is ignored.
  db.pragma('journal_mode = WAL')
  // Set after the journal mode: builds compiled with SQLITE_DEFAULT_WAL_SYNCHRONOUS (some better-sqlite3
  // releases are) may lower `synchronous` when the connection enters WAL mode.
  // FULL: the WAL is synced at every commit, so `save` returns only once the update is on disk. The default
  // for WAL (NORMAL) syncs only at checkpoints and may lose the last commits on power loss, which Raft forbids
  // (a node could vote twice in a term, or forget entries it acknowledged).
  db.pragma('synchronous = FULL')
}
