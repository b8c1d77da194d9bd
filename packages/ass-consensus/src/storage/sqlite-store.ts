import { InvalidArgumentError, NotStartedError, StateCorruptError } from '@dwcp/core'
import type Database from 'better-sqlite3'
import type { Entry, HardState, PersistedState, Snapshot } from '../raft/types.js'
import type { StorageUpdate } from './raft-storage.js'
import { entryFromRow, hardStateFromRow, snapshotFromRow, toBlob, votersToText } from './rows.js'
import { STATE_STORE_SCHEMA_VERSION } from './schema.js'
import { translateSqliteError } from './sqlite-errors.js'
import type { SqliteRaftStorage } from './sqlite-raft-storage.js'
import { prepareStatements, type Statements } from './statements.js'
import { validateEntries, validateHardState, validateSnapshot } from './validate.js'

/** Most obsolete log rows (covered by the snapshot) one save deletes. */
const PRUNE_BATCH_ENTRIES = 2_000
/**
 * Default size of the pieces {@link SqliteStore.beginCompaction} writes a snapshot in. One piece is one
 * transaction of a millisecond or two; a 40 MB snapshot written at once held the event loop for about 135 ms.
 */
const DEFAULT_SNAPSHOT_CHUNK_BYTES = 256 * 1024
/** Rows of an older snapshot's pieces deleted per step once a new snapshot is in place. */
const CLEANUP_CHUNKS_PER_STEP = 2

/** How a {@link SqliteStore} is opened. */
export interface SqliteStoreOptions {
  /** Layout of the file: a version-1 store is only read. @default STATE_STORE_SCHEMA_VERSION */
  schemaVersion?: number
  /** See {@link SqliteRaftStorageOptions.snapshotChunkBytes}. */
  snapshotChunkBytes?: number | undefined
}

/**
 * The open store behind {@link SqliteRaftStorage}: runs each update as one transaction on prepared statements,
 * and keeps the snapshot and last index in memory to check where new entries go without a query.
 */
export class SqliteStore implements SqliteRaftStorage {
  readonly path: string
  #db: Database.Database
  #statements: Statements
  #closed = false
  /** Index of the stored snapshot (0 without one): kept in memory so `save` can check placement without a query. */
  #snapshotIndex: number
  /** Index of the last stored entry, or {@link #snapshotIndex} when the log is empty. */
  #lastIndex: number
  /**
   * Lowest index that may still have a row. Rows at or below the snapshot are obsolete: compaction leaves them
   * and each later save deletes up to {@link PRUNE_BATCH_ENTRIES} of them, so that a compaction of 100,000
   * entries does not hold the event loop for the whole delete at once.
   */
  #pruneFrom: number
  readonly #saveTransaction: (update: StorageUpdate, pruneThrough: number | undefined) => void
  readonly #compactTransaction: (snapshot: Snapshot) => void
  readonly #chunkBytes: number
  /** Changed by every snapshot stored: a compaction begun before it is then abandoned. */
  #snapshotGeneration = 0

  constructor(db: Database.Database, path: string, options: SqliteStoreOptions = {}) {
    this.path = path
    this.#db = db
    this.#chunkBytes = options.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES
    this.#statements = prepareStatements(db, options.schemaVersion ?? STATE_STORE_SCHEMA_VERSION)
    this.#snapshotIndex = this.#statements.selectSnapshot.get()?.idx ?? 0
    this.#lastIndex = Math.max(this.#statements.selectLastIndex.get()?.idx ?? 0, this.#snapshotIndex)
    this.#pruneFrom = this.#statements.selectFirstIndex.get()?.idx ?? this.#snapshotIndex + 1
    this.#saveTransaction = db.transaction((update: StorageUpdate, pruneThrough: number | undefined) =>
      this.#writeUpdate(update, pruneThrough),
    )
    this.#compactTransaction = db.transaction((snapshot: Snapshot) => this.#writeCompaction(snapshot))
  }

  load(): PersistedState {
    this.#ensureOpen()
    try {
      const hardStateRow = this.#statements.selectHardState.get()
      if (hardStateRow === undefined) throw new StateCorruptError(this.path, 'the hard state row is missing')
      const snapshotRow = this.#statements.selectSnapshot.get()
      const snapshot =
        snapshotRow === undefined
          ? undefined
          : snapshotFromRow(snapshotRow, this.path, this.#readChunks(snapshotRow.idx, snapshotRow.chunks))
      const entries: Entry[] = []
      let expectedIndex = (snapshot?.index ?? 0) + 1
      // Rows the snapshot covers are obsolete (they await pruning): the log starts after the snapshot.
      for (const row of this.#statements.selectEntriesAfter.all(snapshot?.index ?? 0)) {
        if (row.idx !== expectedIndex) {
          const after = snapshot === undefined ? 'the log start' : `the snapshot at ${snapshot.index}`
          throw new StateCorruptError(
            this.path,
            `entry ${row.idx} found where ${expectedIndex} was expected (after ${after})`,
          )
        }
        entries.push(entryFromRow(row, this.path))
        expectedIndex += 1
      }
      return { hardState: hardStateFromRow(hardStateRow), entries, snapshot }
    } catch (error) {
      throw translateSqliteError(error, this.path)
    }
  }

  /**
   * @throws InvalidArgumentError when the update is malformed, its snapshot is older than the stored one, or its
   *   entries would not follow the log (a gap after the last entry, or an index the snapshot already covers).
   */
  save(update: StorageUpdate): void {
    this.#ensureOpen()
    if (typeof update !== 'object' || update === null)
      throw new InvalidArgumentError('update', 'must be an object')
    const { snapshot, entries, hardState } = update
    if (snapshot !== undefined) {
      validateSnapshot(snapshot)
      this.#refuseOlderSnapshot(snapshot)
    }
    validateEntries(entries)
    if (hardState !== undefined) validateHardState(hardState)
    this.#checkPlacement(entries, snapshot)
    const pruneThrough =
      snapshot === undefined && this.#pruneFrom <= this.#snapshotIndex
        ? Math.min(this.#snapshotIndex, this.#pruneFrom + PRUNE_BATCH_ENTRIES - 1)
        : undefined
    try {
      this.#saveTransaction(update, pruneThrough)
    } catch (error) {
      throw translateSqliteError(error, this.path)
    }
    // Moved only once the transaction committed: a failed one rolled the deletion back with the rest.
    if (pruneThrough !== undefined) this.#pruneFrom = pruneThrough + 1
    if (snapshot !== undefined) {
      this.#snapshotGeneration++
      this.#snapshotIndex = snapshot.index
      this.#lastIndex = snapshot.index
      this.#pruneFrom = snapshot.index + 1
    }
    const last = entries[entries.length - 1]
    if (last !== undefined) this.#lastIndex = last.index
  }

  /**
   * @throws InvalidArgumentError when the snapshot is malformed, older than the stored one, or disagrees with
   *   the term of the stored entry at its index.
   */
  compact(snapshot: Snapshot): void {
    this.#ensureOpen()
    validateSnapshot(snapshot)
    this.#refuseOlderSnapshot(snapshot)
    this.#checkCompaction(snapshot)
    try {
      this.#compactTransaction(snapshot)
    } catch (error) {
      throw translateSqliteError(error, this.path)
    }
    this.#snapshotIndex = snapshot.index
    this.#lastIndex = Math.max(this.#lastIndex, snapshot.index)
    this.#snapshotGeneration++
  }

  /**
   * Stores `snapshot` as {@link compact} does, in steps: each call of the returned function does one
   * transaction of at most `snapshotChunkBytes` of the snapshot and returns true once everything is done. The
   * last piece's transaction puts the snapshot in place; until then the previous snapshot and the whole log
   * are what a restart finds. The steps after it delete the previous snapshot's pieces. A snapshot stored
   * meanwhile by `save` or `compact` abandons this one (its next step returns true; pieces it left are
   * deleted by later compactions). A snapshot no larger than one piece, or at the stored snapshot's index, is
   * stored by the first step at once.
   *
   * @throws InvalidArgumentError as {@link compact} does (checked now, not in the steps).
   */
  beginCompaction(snapshot: Snapshot): () => boolean {
    this.#ensureOpen()
    validateSnapshot(snapshot)
    this.#refuseOlderSnapshot(snapshot)
    this.#checkCompaction(snapshot)
    const chunks = this.#statements.chunks
    // Pieces are keyed by index: a snapshot at the stored one's index (taken again) is written at once, so
    // that its pieces never mix with those of the snapshot in place.
    if (
      chunks === undefined ||
      snapshot.data.byteLength <= this.#chunkBytes ||
      snapshot.index === this.#snapshotIndex
    ) {
      let stored = false
      return () => {
        if (!stored) this.compact(snapshot)
        stored = true
        return true
      }
    }
    const generation = this.#snapshotGeneration
    const data = toBlob(snapshot.data)
    const count = Math.ceil(data.byteLength / this.#chunkBytes)
    let next = 0
    let placed = false
    return () => {
      this.#ensureOpen()
      // Stored over (before or after this one was placed): its pieces, or the newer ones, are not ours to touch.
      if (generation + (placed ? 1 : 0) !== this.#snapshotGeneration) return true
      try {
        if (placed) return chunks.deleteOtherChunks.run(snapshot.index, CLEANUP_CHUNKS_PER_STEP).changes === 0
        if (next === 0) chunks.deleteChunksOf.run(snapshot.index)
        if (next < count) {
          const piece = data.subarray(next * this.#chunkBytes, (next + 1) * this.#chunkBytes)
          chunks.insertChunk.run(snapshot.index, next, piece)
          next++
          return false
        }
        chunks.upsertSnapshot.run(snapshot.index, snapshot.term, JSON.stringify(snapshot.voters), null, count)
      } catch (error) {
        throw translateSqliteError(error, this.path)
      }
      placed = true
      this.#snapshotIndex = Math.max(this.#snapshotIndex, snapshot.index)
      this.#lastIndex = Math.max(this.#lastIndex, snapshot.index)
      this.#snapshotGeneration++
      return false
    }
  }

  close(): void {
    this.#ensureOpen()
    this.#closed = true
    // Closing checkpoints the WAL into the main file and removes it, leaving one self-contained file.
    this.#db.close()
  }

  #writeUpdate(update: StorageUpdate, pruneThrough: number | undefined): void {
    const statements = this.#statements
    if (update.snapshot !== undefined) {
      this.#writeSnapshot(update.snapshot)
      statements.deleteAllEntries.run()
    } else if (pruneThrough !== undefined) {
      statements.deleteEntriesThrough.run(pruneThrough)
    }
    const first = update.entries[0]
    if (first !== undefined) {
      statements.deleteEntriesFrom.run(first.index)
      for (const entry of update.entries) {
        const data = entry.data === undefined ? null : toBlob(entry.data)
        statements.insertEntry.run(
          entry.index,
          entry.term,
          entry.data === undefined ? 0 : 1,
          data,
          votersToText(entry.voters),
        )
      }
    }
    const hardState: HardState | undefined = update.hardState
    if (hardState !== undefined) {
      statements.updateHardState.run(hardState.term, hardState.vote ?? null, hardState.commit)
    }
  }

  #writeCompaction(snapshot: Snapshot): void {
    // The entries it covers are left for the following saves to prune, a batch at a time.
    this.#writeSnapshot(snapshot)
  }

  #writeSnapshot(snapshot: Snapshot): void {
    const chunks = this.#statements.chunks
    if (chunks === undefined) throw new StateCorruptError(this.path, 'a version-1 store is only read')
    chunks.upsertSnapshot.run(
      snapshot.index,
      snapshot.term,
      JSON.stringify(snapshot.voters),
      toBlob(snapshot.data),
      0,
    )
    // Pieces of the previous snapshot, or of one being written, are obsolete now.
    chunks.deleteAllChunks.run()
  }

  /** The bytes of the snapshot at `index` from its `count` pieces (undefined when it has none). */
  #readChunks(index: number, count: number): Uint8Array | undefined {
    if (count === 0) return undefined
    const rows = this.#statements.chunks?.selectChunks.all(index) ?? []
    rows.forEach((row, i) => {
      if (row.seq !== i) throw new StateCorruptError(this.path, `snapshot piece ${i} of ${count} is missing`)
    })
    if (rows.length !== count) {
      throw new StateCorruptError(this.path, `the snapshot has ${rows.length} of its ${count} pieces`)
    }
    const joined = Buffer.concat(rows.map((row) => row.data))
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength)
  }

  /** A snapshot must not be older than the entry it claims to cover says. */
  #checkCompaction(snapshot: Snapshot): void {
    const stored = this.#statements.selectEntryTerm.get(snapshot.index)
    if (stored !== undefined && stored.term !== snapshot.term) {
      throw new InvalidArgumentError(
        'snapshot.term',
        `is ${snapshot.term} but the entry at index ${snapshot.index} has term ${stored.term}`,
      )
    }
  }

  #refuseOlderSnapshot(snapshot: Snapshot): void {
    if (snapshot.index < this.#snapshotIndex) {
      throw new InvalidArgumentError(
        'snapshot.index',
        `${snapshot.index} is older than the stored snapshot at ${this.#snapshotIndex}`,
      )
    }
  }

  /** Entries must extend or overwrite the log after the snapshot, leaving no gap. */
  #checkPlacement(entries: readonly Entry[], snapshot: Snapshot | undefined): void {
    const first = entries[0]
    if (first === undefined) return
    const snapshotIndex = snapshot?.index ?? this.#snapshotIndex
    const lastIndex = snapshot?.index ?? this.#lastIndex
    if (first.index <= snapshotIndex) {
      throw new InvalidArgumentError(
        'entries[0].index',
        `${first.index} is covered by the snapshot at ${snapshotIndex}`,
      )
    }
    if (first.index > lastIndex + 1) {
      throw new InvalidArgumentError(
        'entries[0].index',
        `${first.index} would leave a gap after index ${lastIndex}`,
      )
    }
  }

  #ensureOpen(): void {
    if (this.#closed) throw new NotStartedError(`raft storage ${this.path} (closed)`)
  }
}
