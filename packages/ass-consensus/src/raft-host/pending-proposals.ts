import { AbortedError, type Clock, type Histogram, NotLeaderError, QueueFullError } from '@dwcp/core'
import type { Entry, NodeId } from '../raft/types.js'
import type { ProposeOutcome } from './types.js'

const RAFT_LABELS = Object.freeze({ protocol: 'raft' })

interface Waiter {
  term: number
  startedMs: number
  resolve(outcome: ProposeOutcome): void
  reject(error: Error): void
  release(): void
}

/**
 * Proposals (commands and membership changes) waiting for their entry to be applied, by log index. An entry
 * applied at that index with the proposal's term is the proposal; any other term means leadership was lost
 * and the slot went to another leader's entry, so the proposal failed.
 */
export class PendingProposals {
  private readonly waiters = new Map<number, Waiter>()

  constructor(
    private readonly clock: Clock,
    private readonly maxPending: number,
    /** Receives the propose-to-apply latency of each successful proposal, in seconds. */
    private readonly latencySeconds: Histogram | undefined,
  ) {}

  /** Number of proposals waiting. */
  get size(): number {
    return this.waiters.size
  }

  /** Throws `QueueFullError` when no more proposal may wait. */
  checkRoom(): void {
    if (this.waiters.size >= this.maxPending) throw new QueueFullError('raft proposals', this.maxPending)
  }

  /**
   * Waits for the entry proposed at `index` in `term`. Aborting stops the wait with `AbortedError`; the entry
   * may still commit.
   */
  wait(index: number, term: number, signal: AbortSignal | undefined): Promise<ProposeOutcome> {
    return new Promise<ProposeOutcome>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(index)
        reject(new AbortedError(signal?.reason))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      // A proposal still waiting at this index is from an earlier term whose entry was overwritten.
      this.take(index)?.reject(new NotLeaderError(undefined))
      this.waiters.set(index, {
        term,
        startedMs: this.clock.now(),
        resolve,
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      })
    })
  }

  /** Settles the proposal at `entry.index`, if any, now that the entry was applied. */
  applied(entry: Entry, result: Uint8Array | undefined, leader: NodeId | undefined): void {
    const waiter = this.take(entry.index)
    if (!waiter) return
    if (entry.term !== waiter.term) {
      waiter.reject(new NotLeaderError(leader))
      return
    }
    // Labelled like PBFT's: the dashboard splits consensus latency by protocol, and an unlabelled series
    // falls out of that split.
    this.latencySeconds?.observe((this.clock.now() - waiter.startedMs) / 1000, RAFT_LABELS)
    waiter.resolve({ index: entry.index, result })
  }

  /**
   * Fails every proposal at or below `index`: a snapshot from the leader replaced those entries, so whether
   * each was the proposal cannot be told any more.
   */
  rejectThrough(index: number, error: () => Error): void {
    for (const at of [...this.waiters.keys()]) if (at <= index) this.take(at)?.reject(error())
  }

  /** Fails every proposal (the host stops). */
  rejectAll(error: () => Error): void {
    for (const at of [...this.waiters.keys()]) this.take(at)?.reject(error())
  }

  private take(index: number): Waiter | undefined {
    const waiter = this.waiters.get(index)
    if (!waiter) return undefined
    this.waiters.delete(index)
    waiter.release()
    return waiter
  }
}
