import type { Entry, HardState, PersistedState, Snapshot } from '../raft/types.js'

/** The durable part of one `Ready`, written atomically. */
export interface StorageUpdate {
  /** A snapshot received from the leader: replaces the whole log (every stored entry is dropped). */
  snapshot?: Snapshot | undefined
  /** Entries replacing every stored entry at or after `entries[0].index`. */
  entries: readonly Entry[]
  /** The new hard state, when it changed. */
  hardState?: HardState | undefined
}

/**
 * Where a Raft node keeps what it must not lose: hard state, log and latest snapshot. `save` returns only once
 * the update is durable (written and synced), so the host may then send the messages that depend on it.
 */
export interface RaftStorage {
  /** What was stored, to restart a node from (an empty log and term 0 for a new store). */
  load(): PersistedState
  /** Writes one update atomically and durably. */
  save(update: StorageUpdate): void
  /**
   * Stores a snapshot the host took of its own state machine and drops the entries it covers (`index` and
   * below); entries after it stay.
   */
  compact(snapshot: Snapshot): void
  /**
   * Optional: stores a snapshot as `compact` does, in steps the host runs one per turn of its event loop, so
   * that a large snapshot does not hold the loop for one long write. Each call of the returned function does one
   * step and returns true once all is done; until the snapshot is in place, the store keeps the previous one
   * and every entry. A snapshot saved meanwhile (installed from the leader) abandons it.
   */
  beginCompaction?(snapshot: Snapshot): () => boolean
  /** Closes the store; later calls throw. */
  close(): void
}
