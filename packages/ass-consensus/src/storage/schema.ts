import { StateCorruptError, StateForeignError } from '@dwcp/core'
import type Database from 'better-sqlite3'

/**
 * `PRAGMA application_id` of a DWCP state store ("DWCP" in ASCII). It sits in the database header, so a file is
 * recognised as ours before any table is read, and `file(1)`-style tools can tell it apart from other SQLite files.
 */
export const STATE_STORE_APPLICATION_ID = 0x44574350

/**
 * `PRAGMA user_version` of the layout this module writes. Version 2 added `snapshot.chunks` and the
 * `snapshot_chunks` table (a snapshot written in pieces, each its own transaction); a version-1 store is
 * upgraded when opened for writing, and read as it is otherwise. Any other version is refused.
 */
export const STATE_STORE_SCHEMA_VERSION = 2

/** Value of the `format` row in the `meta` table, a second mark beside the application id. */
const STATE_STORE_FORMAT = 'dwcp-raft-state'

/** Tables a store of each known version must have. */
const REQUIRED_TABLES: Record<number, readonly string[]> = {
  1: ['meta', 'hard_state', 'entries', 'snapshot'],
  2: ['meta', 'hard_state', 'entries', 'snapshot', 'snapshot_chunks'],
}

/**
 * Pieces of a snapshot written across several transactions: `seq` 0 … `chunks` − 1 of the snapshot at `idx`.
 * Rows of another index than the stored snapshot's belong to a snapshot being written or left by a crash.
 */
const CREATE_CHUNKS_TABLE_SQL = `
CREATE TABLE snapshot_chunks (
  idx  INTEGER NOT NULL,
  seq  INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (idx, seq)
);
`

/**
 * The layout. `snapshot.chunks` is 0 when the snapshot's bytes are in `snapshot.data`, else the number of
 * `snapshot_chunks` rows holding them. `entries.has_data` tells an entry without data (`undefined`) from one with empty data, which a
 * NULL or zero-length blob alone cannot; `voters` is JSON text, NULL when the entry carries no membership change.
 * Single-row tables are pinned to `id = 1` by a CHECK, so a second row cannot appear by mistake.
 */
const CREATE_TABLES_SQL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT
) WITHOUT ROWID;
CREATE TABLE hard_state (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  term         INTEGER NOT NULL,
  vote         TEXT,
  commit_index INTEGER NOT NULL
);
CREATE TABLE entries (
  idx      INTEGER PRIMARY KEY,
  term     INTEGER NOT NULL,
  has_data INTEGER NOT NULL,
  data     BLOB,
  voters   TEXT
);
CREATE TABLE snapshot (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  idx    INTEGER NOT NULL,
  term   INTEGER NOT NULL,
  voters TEXT NOT NULL,
  data   BLOB,
  chunks INTEGER NOT NULL DEFAULT 0
);
${CREATE_CHUNKS_TABLE_SQL}
`

/** Who a store belongs to, as recorded in its `meta` table. */
export interface StoreOwner {
  /** The node whose state the store holds. */
  nodeId: string
  /** Omitted: the store is not bound to a cluster (and, on open, the caller does not check it). */
  clusterId?: string | undefined
}

/** What {@link identifyStore} found: an empty file, a store of this version, or a version-1 store. */
export type StoreKind = 'empty' | 'dwcp' | 'dwcp-v1'

/**
 * Tells an empty database (a file just created) from a DWCP state store of this schema version and this owner,
 * reading only: nothing is written to a file that turns out to be someone else's.
 *
 * @throws StateForeignError when the file is another application's database, another schema version, or
 *   another node's or cluster's store.
 * @throws StateCorruptError when it claims to be a DWCP store but lacks its tables or its marks.
 */
export function identifyStore(db: Database.Database, path: string, owner: StoreOwner): StoreKind {
  const applicationId = db.pragma('application_id', { simple: true }) as number
  const userVersion = db.pragma('user_version', { simple: true }) as number
  const objectCount = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n
  if (applicationId === 0 && userVersion === 0 && objectCount === 0) return 'empty'
  if (applicationId !== STATE_STORE_APPLICATION_ID) {
    throw new StateForeignError(path, `not a DWCP state store (application id ${applicationId})`)
  }
  if (userVersion !== STATE_STORE_SCHEMA_VERSION && userVersion !== 1) {
    throw new StateForeignError(
      path,
      `unknown schema version ${userVersion} (this build reads versions 1 to ${STATE_STORE_SCHEMA_VERSION})`,
    )
  }
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map(
      (row) => row.name,
    ),
  )
  for (const table of REQUIRED_TABLES[userVersion]!) {
    if (!tables.has(table)) throw new StateCorruptError(path, `table ${table} is missing`)
  }
  const meta = readMeta(db)
  if (meta.get('format') !== STATE_STORE_FORMAT) {
    throw new StateCorruptError(path, 'the meta table does not mark a DWCP state store')
  }
  const storedNodeId = meta.get('node_id')
  if (storedNodeId !== owner.nodeId) {
    throw new StateForeignError(
      path,
      `belongs to node ${JSON.stringify(storedNodeId)}, not ${JSON.stringify(owner.nodeId)}`,
    )
  }
  if (owner.clusterId !== undefined) {
    const storedClusterId = meta.get('cluster_id') ?? undefined
    if (storedClusterId !== owner.clusterId) {
      const storedText =
        storedClusterId === undefined ? 'no cluster' : `cluster ${JSON.stringify(storedClusterId)}`
      throw new StateForeignError(
        path,
        `belongs to ${storedText}, not cluster ${JSON.stringify(owner.clusterId)}`,
      )
    }
  }
  return userVersion === 1 ? 'dwcp-v1' : 'dwcp'
}

/** Upgrades a version-1 store to {@link STATE_STORE_SCHEMA_VERSION} in one transaction (its data unchanged). */
export function upgradeStore(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`ALTER TABLE snapshot ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0;${CREATE_CHUNKS_TABLE_SQL}`)
    db.pragma(`user_version = ${STATE_STORE_SCHEMA_VERSION}`)
  })()
}

/**
 * Turns an empty database into a new state store for `owner`: marks, tables and the initial hard state (term 0,
 * no vote, commit 0) in one transaction, so a crash half-way leaves an empty database that the next open
 * initialises again rather than a half-made store.
 */
export function createStore(db: Database.Database, owner: StoreOwner): void {
  db.transaction(() => {
    db.pragma(`application_id = ${STATE_STORE_APPLICATION_ID}`)
    db.pragma(`user_version = ${STATE_STORE_SCHEMA_VERSION}`)
    db.exec(CREATE_TABLES_SQL)
    const insertMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
    insertMeta.run('format', STATE_STORE_FORMAT)
    insertMeta.run('node_id', owner.nodeId)
    insertMeta.run('cluster_id', owner.clusterId ?? null)
    db.prepare('INSERT INTO hard_state (id, term, vote, commit_index) VALUES (1, 0, NULL, 0)').run()
  })()
}

function readMeta(db: Database.Database): Map<string, string | null> {
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string | null }[]
  return new Map(rows.map((row) => [row.key, row.value]))
}
