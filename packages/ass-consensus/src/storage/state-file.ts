/**
 * Backup and verification of a whole `state.db` file: what `dwcp backup state` and `dwcp restore state` run.
 * A backup is copied page by page through SQLite's online backup API from a read-only connection, so the node
 * keeps writing meanwhile and the copy is one consistent point in time; it is then made self-contained
 * (rollback journal instead of WAL) and verified like any file offered for a restore.
 */

import { statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { InvalidArgumentError, StateCorruptError } from '@dwcp/core'
import Database from 'better-sqlite3'
import { identifyStore, STATE_STORE_SCHEMA_VERSION, type StoreOwner } from './schema.js'
import { translateSqliteError } from './sqlite-errors.js'
import { SqliteStore } from './sqlite-store.js'

/** Length of the SQLite file header, which holds the page size and the page count. */
const SQLITE_HEADER_BYTES = 100

/** What {@link verifyStateFile} found in a file that passed every check. */
export interface StateFileInfo {
  /** The file checked. */
  readonly path: string
  /** Owner recorded in the file. */
  readonly nodeId: string
  /** Cluster recorded in the file (absent: bound to none). */
  readonly clusterId: string | undefined
  /** Layout version (`PRAGMA user_version`). */
  readonly schemaVersion: number
  /** Size of the file in bytes. */
  readonly sizeBytes: number
  /** Raft term stored in the hard state. */
  readonly term: number
  /** Commit index stored in the hard state. */
  readonly commitIndex: number
  /** Index of the stored snapshot (0: none). */
  readonly snapshotIndex: number
  /** Index of the last log entry (the snapshot's when the log is empty). */
  readonly lastIndex: number
}

/**
 * Checks that `path` is a complete, uncorrupted DWCP state store of this schema version belonging to `owner`,
 * and that its Raft log reads back: the header's page count fits the file (not truncated), SQLite's
 * `integrity_check` passes, the identity marks match, and the hard state, snapshot and entries load.
 *
 * The database is opened read-only: its content is never changed (SQLite may add its -wal/-shm side files
 * next to a WAL-mode file).
 *
 * @throws StateCorruptError when the file is truncated, empty, not a database, or fails a check
 * @throws StateForeignError when it belongs to another node, cluster, application or schema version
 */
export async function verifyStateFile(path: string, owner: StoreOwner): Promise<StateFileInfo> {
  if (typeof path !== 'string' || path === '')
    throw new InvalidArgumentError('path', 'must be a non-empty string')
  const sizeBytes = await checkNotTruncated(path)
  let db: Database.Database
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw translateSqliteError(error, path)
  }
  try {
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .filter((result) => result !== 'ok')
    if (problems.length > 0)
      throw new StateCorruptError(path, `integrity_check: ${problems.slice(0, 3).join('; ')}`)
    const kind = identifyStore(db, path, owner)
    if (kind === 'empty') throw new StateCorruptError(path, 'an empty database, not a DWCP state store')
    const schemaVersion = kind === 'dwcp-v1' ? 1 : STATE_STORE_SCHEMA_VERSION
    // Reading the log back through the store itself checks what SQLite cannot: entry order, blobs, voters.
    const { hardState, entries, snapshot } = new SqliteStore(db, path, { schemaVersion }).load()
    const snapshotIndex = snapshot?.index ?? 0
    return {
      path,
      nodeId: owner.nodeId,
      clusterId: owner.clusterId,
      schemaVersion,
      sizeBytes,
      term: hardState.term,
      commitIndex: hardState.commit,
      snapshotIndex,
      lastIndex: entries.at(-1)?.index ?? snapshotIndex,
    }
  } catch (error) {
    throw translateSqliteError(error, path)
  } finally {
    if (db.open) db.close()
  }
}

/** Options of {@link backupStateFile}. */
export interface BackupStateFileOptions {
  /** The live `state.db`. */
  source: string
  /** Where the copy goes; must not exist yet (a backup never overwrites). */
  destination: string
  /** Whose store it is: checked on the copy. */
  owner: StoreOwner
  /** Called as pages are copied. */
  onProgress?: (progress: { totalPages: number; remainingPages: number }) => void
}

/**
 * Copies a live state store to `destination` with SQLite's online backup API (from a read-only connection, so
 * writers keep going), switches the copy to a rollback journal so it is one self-contained file, and verifies it
 * with {@link verifyStateFile}.
 *
 * @throws InvalidArgumentError when `destination` exists
 * @throws StateCorruptError / StateForeignError when the copy does not verify
 */
export async function backupStateFile(options: BackupStateFileOptions): Promise<StateFileInfo> {
  const { source, destination, owner, onProgress } = options
  if (exists(destination))
    throw new InvalidArgumentError('output', `${destination} exists; a backup never overwrites a file`)
  const reader = new Database(source, { readonly: true, fileMustExist: true })
  try {
    await reader.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.({ totalPages, remainingPages })
        // Pages per step: large enough to finish quickly, small enough to let writers in between steps.
        return 1024
      },
    })
  } catch (error) {
    throw translateSqliteError(error, source)
  } finally {
    reader.close()
  }
  const copy = new Database(destination)
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
  return verifyStateFile(destination, owner)
}

function exists(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}

/**
 * Compares the page count in the header with the file's length: a copy cut short (a full disk, an interrupted
 * transfer) may still open, and SQLite would then read the missing pages as if the file were shorter by design.
 */
async function checkNotTruncated(path: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new InvalidArgumentError('path', `cannot read ${path}: ${code}`)
  }
  try {
    const { size } = await handle.stat()
    if (size === 0) throw new StateCorruptError(path, 'the file is empty')
    if (size < SQLITE_HEADER_BYTES)
      throw new StateCorruptError(path, `truncated: ${size} bytes, shorter than the SQLite header`)
    const header = Buffer.alloc(SQLITE_HEADER_BYTES)
    await handle.read(header, 0, SQLITE_HEADER_BYTES, 0)
    if (header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000')
      throw new StateCorruptError(path, 'not a SQLite database (bad header)')
    const pageSizeField = header.readUInt16BE(16)
    const pageSizeBytes = pageSizeField === 1 ? 65536 : pageSizeField
    const pageCount = header.readUInt32BE(28)
    // The in-header page count is valid only when the change counter matches "version valid for".
    const countValid = header.readUInt32BE(24) === header.readUInt32BE(92)
    if (countValid && pageCount > 0 && size < pageCount * pageSizeBytes)
      throw new StateCorruptError(
        path,
        `truncated: ${size} bytes, but the header counts ${pageCount} pages of ${pageSizeBytes} bytes`,
      )
    if (size % pageSizeBytes !== 0)
      throw new StateCorruptError(path, `truncated: ${size} bytes is not a whole number of pages`)
    return size
  } finally {
    await handle.close()
  }
}
