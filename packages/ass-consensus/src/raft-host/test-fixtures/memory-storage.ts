import type { Entry, HardState, PersistedState, Snapshot } from '../../raft/types.js'
import type { RaftStorage, StorageUpdate } from '../../storage/raft-storage.js'

/**
 * A {@link RaftStorage} in memory, for tests: it survives a host's stop and restart (the test keeps it), and
 * counts writes so that batching can be checked. It checks the contract a durable store must keep (no gap
 * in the log) and throws after `close()`.
 */
export class MemoryRaftStorage implements RaftStorage {
  hardState: HardState = { term: 0, vote: undefined, commit: 0 }
  entries: Entry[] = []
  snapshot: Snapshot | undefined
  /** Number of `save` calls: each stands for one fsync. */
  saves = 0
  /** Number of `compact` calls. */
  compactions = 0
  /**
   * When set, `beginCompaction` exists and takes this many steps before the snapshot is in place (as a store
   * writing it in pieces does); unset, the host uses `compact`.
   */
  compactionSteps: number | undefined
  /** Steps run by `beginCompaction` so far. */
  compactionStepsRun = 0
  private closed = false

  /** Set in the constructor only when `compactionSteps` is given. */
  beginCompaction?: (snapshot: Snapshot) => () => boolean

  constructor(options: { compactionSteps?: number } = {}) {
    this.compactionSteps = options.compactionSteps
    if (this.compactionSteps !== undefined) this.beginCompaction = (s) => this.stepwiseCompaction(s)
  }

  load(): PersistedState {
    this.checkOpen()
    return { hardState: { ...this.hardState }, entries: [...this.entries], snapshot: this.snapshot }
  }

  save(update: StorageUpdate): void {
    this.checkOpen()
    this.saves++
    if (update.snapshot) {
      this.snapshot = update.snapshot
      this.entries = []
    }
    const first = update.entries[0]
    if (first) {
      const last = this.lastIndex()
      if (first.index > last + 1) throw new Error(`gap: entry ${first.index} after ${last}`)
      const base = this.snapshot?.index ?? 0
      this.entries.length = Math.max(0, first.index - 1 - base)
      this.entries.push(...update.entries)
    }
    if (update.hardState) this.hardState = { ...update.hardState }
  }

  compact(snapshot: Snapshot): void {
    this.checkOpen()
    this.compactions++
    if (this.snapshot && snapshot.index <= this.snapshot.index) return
    this.entries = this.entries.filter((e) => e.index > snapshot.index)
    this.snapshot = snapshot
  }

  close(): void {
    this.closed = true
  }

  private stepwiseCompaction(snapshot: Snapshot): () => boolean {
    const before = this.snapshot
    let left = this.compactionSteps ?? 1
    return () => {
      this.checkOpen()
      this.compactionStepsRun++
      // Another snapshot stored meanwhile abandons this one.
      if (this.snapshot !== before) return true
      if (--left > 0) return false
      this.compact(snapshot)
      return true
    }
  }

  private lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapshot?.index ?? 0
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('storage is closed')
  }
}
