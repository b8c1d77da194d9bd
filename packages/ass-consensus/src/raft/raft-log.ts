import type { Entry } from './types.js'

/**
 * The in-memory log of one node with its three watermarks: `stabled` (persisted), `committed` and `applied`.
 * Entries are 1-indexed; index 0 is a sentinel of term 0 so that the consistency check of the first entry
 * needs no special case.
 */
export class RaftLog {
  private readonly entries: Entry[] = []
  /** Highest index the host has persisted. */
  stabled: number
  /** Highest index known committed. */
  committed: number
  /** Highest index handed to the host to apply. */
  applied: number

  /** Restores a log from what was persisted before a restart (or starts empty). */
  constructor(persisted: readonly Entry[] = [], committed = 0) {
    for (const entry of persisted) {
      if (entry.index !== this.entries.length + 1)
        throw new Error(`persisted log has a gap: index ${entry.index} after ${this.entries.length}`)
      this.entries.push(entry)
    }
    if (committed > this.entries.length)
      throw new Error(`persisted commit ${committed} is beyond the last index ${this.entries.length}`)
    this.stabled = this.entries.length
    this.committed = committed
    // The state machine is not durable: a restarted node applies the committed prefix again.
    this.applied = 0
  }

  /** Index of the last entry (0 when empty). */
  get lastIndex(): number {
    return this.entries.length
  }

  /** Term of the last entry (0 when empty). */
  get lastTerm(): number {
    return this.term(this.entries.length) ?? 0
  }

  /** Term of the entry at `index`, 0 for index 0, `undefined` beyond the end. */
  term(index: number): number | undefined {
    if (index === 0) return 0
    return this.entries[index - 1]?.term
  }

  /** Whether the entry at `index` exists and has `term`: Raft's consistency check. */
  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** Whether a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this one (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex)
  }

  /** Entries in [`from`, `to`], clipped to the log. */
  slice(from: number, to: number): Entry[] {
    return this.entries.slice(Math.max(0, from - 1), Math.max(0, to))
  }

  /** Appends a new entry at the end (leader side). */
  append(entry: Entry): void {
    if (entry.index !== this.lastIndex + 1)
      throw new Error(`append at ${entry.index}, expected ${this.lastIndex + 1}`)
    this.entries.push(entry)
  }

  /**
   * Merges entries received after `prevIndex` matched (follower side): skips those already present with the
   * same term, truncates at the first conflict and appends the rest (§5.3). Returns the index of the last
   * entry the message carried.
   */
  merge(prevIndex: number, incoming: readonly Entry[]): number {
    let i = 0
    while (i < incoming.length) {
      const entry = incoming[i]!
      const existing = this.term(entry.index)
      if (existing === undefined) break
      if (existing !== entry.term) {
        // Committed entries are on a quorum and can never conflict with a legitimate leader.
        if (entry.index <= this.committed)
          throw new Error(`conflict at committed index ${entry.index} (commit ${this.committed})`)
        this.entries.length = entry.index - 1
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
    return this.entries.slice(this.stabled)
  }

  /** Committed entries not yet handed out for applying. */
  toApply(): Entry[] {
    return this.entries.slice(this.applied, this.committed)
  }
}
