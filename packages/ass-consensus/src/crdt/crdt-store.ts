/**
 * Durable storage of a CRDT replica: the Yjs updates it made or applied, in order. Replaying them into an empty
 * document rebuilds the state (Yjs updates commute, so the order only matters for speed). A store grows by one
 * update per change until the replicator compacts it into a single merged update of the whole state.
 */
export interface CrdtStore {
  /** Every stored update, oldest first (after a compaction the first one is the merged state). */
  load(): Uint8Array[]
  /** Appends one update; durable (by the store's rule) when it returns. */
  append(update: Uint8Array): void
  /** Replaces every stored update with `stateUpdate`, which must contain all of them (the whole state). */
  compact(stateUpdate: Uint8Array): void
  /** Number of updates stored (1 right after a compaction). */
  readonly updateCount: number
}

/** A {@link CrdtStore} in memory: survives a replicator's restart, not the process. */
export class MemoryCrdtStore implements CrdtStore {
  private updates: Uint8Array[] = []

  load(): Uint8Array[] {
    return this.updates.map((update) => update.slice())
  }

  append(update: Uint8Array): void {
    this.updates.push(update.slice())
  }

  compact(stateUpdate: Uint8Array): void {
    this.updates = [stateUpdate.slice()]
  }

  get updateCount(): number {
    return this.updates.length
  }
}
