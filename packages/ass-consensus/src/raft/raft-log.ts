import type { Entry, Snapshot } from './types.js'

/**
 * The in-memory log of one node with its three watermarks: `stabled` (persisted), `committed` and `applied`,
 * all absolute indexes. Entries are 1-indexed. After compaction the log starts after a snapshot: it keeps the
 * snapshot's last index and term (so the consistency check of the next entry still works) and no entry at or
 * below it. Index 0 is a sentinel of term 0 so that the first entry of a fresh log needs no special case.
 */
export class RaftLog {
  private entries: Entry[] = []
  /** Last index covered by the snapshot the log starts after (0: none). */
  snapshotIndex: number
  /** Term of the entry at `snapshotIndex`. */
  snapshotTerm: number
  /** Highest index the host has persisted. */
  stabled: number
  /** Highest index known committed. */
  committed: number
  /** Highest index handed to the host to apply. */
  applied: number

  /**
   * Restores a log from what was persisted before a restart (or starts empty). The state machine is not
   * durable: the host restores it from `snapshot` and the node hands out the committed entries after it again.
   */
  constructor(persisted: readonly Entry[] = [], committed = 0, snapshot?: Snapshot) {
    this.snapshotIndex = snapshot?.index ?? 0
    this.snapshotTerm = snapshot?.term ?? 0
    for (const entry of persisted) {
      if (entry.index !== this.lastIndex + 1)
        throw new Error(`persisted log has a gap: index ${entry.index} after ${this.lastIndex}`)
      this.entries.push(entry)
    }
    const commit = Math.max(committed, this.snapshotIndex)
    if (commit > this.lastIndex)
      throw new Error(`persisted commit ${commit} is beyond the last index ${this.lastIndex}`)
    this.stabled = this.lastIndex
    this.committed = commit
    this.applied = this.snapshotIndex
  }

  /** First index still held as an entry. */
  get firstIndex(): number {
    return this.snapshotIndex + 1
  }

  /** Index of the last entry (the snapshot's index when no entry follows it; 0 when empty). */
  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length
  }

  /** Term of the last entry (0 when empty). */
  get lastTerm(): number {
    return this.term(this.lastIndex) ?? 0
  }

  /**
   * Term of the entry at `index`: 0 for index 0, the snapshot's term at its index, `undefined` beyond the end or
   * below the snapshot (compacted).
   */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm
    if (index < this.snapshotIndex) return index === 0 ? 0 : undefined
    return this.entries[index - this.snapshotIndex - 1]?.term
  }

  /** Whether the entry at `index` exists (or is the snapshot's last) and has `term`: Raft's consistency check. */
  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** Whether a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this one (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex)
  }

  /** Entries in [`from`, `to`], clipped to what the log holds. */
  slice(from: number, to: number): Entry[] {
    const offset = this.snapshotIndex + 1
    return this.entries.slice(Math.max(0, from - offset), Math.max(0, to - offset + 1))
  }

  /** Appends a new entry at the end (leader side). */
  append(entry: Entry): void {
    if (entry.index !== this.lastIndex + 1)
      throw new Error(`append at ${entry.index}, expected ${this.lastIndex + 1}`)
    this.entries.push(entry)
  }

  /**
   * Merges entries received after `prevIndex` matched (follower side): skips those already present with the
   * same term (or covered by the snapshot), truncates at the first conflict and appends the rest (§5.3).
   * Returns the index of the last entry the message carried.
   */
  merge(prevIndex: number, incoming: readonly Entry[]): number {
    let i = 0
    while (i < incoming.length) {
      const entry = incoming[i]!
      if (entry.index <= this.snapshotIndex) {
        i++
        continue
      }
      const existing = this.term(entry.index)
      if (existing === undefined) break
      if (existing !== entry.term) {
        // Committed entries are on a quorum and can never conflict with a legitimate leader.
        if (entry.index <= this.committed)
          throw new Error(`conflict at committed index ${entry.index} (commit ${this.committed})`)
        this.entries.length = entry.index - this.snapshotIndex - 1
        this.stabled = Math.min(this.stabled, entry.index - 1)
        break
      }
      i++
    }
    for (; i < incoming.length; i++) this.append(incoming[i]!)
    return prevIndex + incoming.length
  }

  /** Raises the commit index (never lowers it). */
  commitTo(index: number): boolean {
    if (index <= this.committed) return false
    if (index > this.lastIndex) throw new Error(`commit ${index} beyond last index ${this.lastIndex}`)
    this.committed = index
    return true
  }

  /** Entries not yet persisted. */
  unstable(): Entry[] {
    return this.slice(this.stabled + 1, this.lastIndex)
  }

  /** Committed entries not yet handed out for applying. */
  toApply(): Entry[] {
    return this.slice(this.applied + 1, this.committed)
  }

  /** Drops the entries up to `index` (applied, so covered by the host's snapshot), keeping its term. */
  compact(index: number): void {
    if (index <= this.snapshotIndex) return
    if (index > this.applied) throw new Error(`compact to ${index} beyond applied ${this.applied}`)
    const term = this.term(index)!
    this.entries = this.entries.slice(index - this.snapshotIndex)
    this.snapshotIndex = index
    this.snapshotTerm = term
  }

  /**
   * Replaces the whole log by a snapshot from the leader: everything up to its index is committed, persisted
   * (with the snapshot) and applied (by restoring the state machine from it).
   */
  restore(snapshot: Snapshot): void {
    this.entries = []
    this.snapshotIndex = snapshot.index
    this.snapshotTerm = snapshot.term
    this.committed = snapshot.index
    this.stabled = snapshot.index
    this.applied = snapshot.index
  }
}
