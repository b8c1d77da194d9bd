import { AbortedError, NotLeaderError, QueueFullError } from '@dwcp/core'
import type { NodeId, ProposeResult, Role } from '../raft/types.js'
import type { PendingProposals } from './pending-proposals.js'

/** One voter added or removed. */
export type MembershipChange = { add: NodeId } | { remove: NodeId }

/** The part of a Raft node the queue drives. */
export interface MembershipNode {
  readonly id: NodeId
  readonly role: Role
  readonly leader: NodeId | undefined
  readonly voters: readonly NodeId[]
  proposeMembership(change: MembershipChange): ProposeResult
}

interface Queued {
  change: MembershipChange
  signal: AbortSignal | undefined
  resolve(): void
  reject(error: Error): void
}

/**
 * Membership changes waiting for the leader to accept them. The leader takes one change at a time and none
 * before it committed an entry of its own term, so a change it refuses for those reasons is offered again
 * after each `Ready` instead of failing; once accepted it waits for its entry like any proposal.
 */
export class MembershipQueue {
  private queued: Queued[] = []

  constructor(
    private readonly proposals: PendingProposals,
    private readonly maxQueued: number,
  ) {}

  /** Number of changes not yet accepted. */
  get size(): number {
    return this.queued.length
  }

  /** Queues `change`; resolves once it is applied (or already in effect). Throws `QueueFullError` when full. */
  add(change: MembershipChange, signal: AbortSignal | undefined): Promise<void> {
    if (this.queued.length >= this.maxQueued)
      throw new QueueFullError('raft membership changes', this.maxQueued)
    return new Promise((resolve, reject) => {
      this.queued.push({ change, signal, resolve, reject })
    })
  }

  /** Offers every queued change to `node` again; fails them once it no longer leads. */
  retry(node: MembershipNode): void {
    if (this.queued.length === 0) return
    const waiting: Queued[] = []
    for (const queued of this.queued) {
      const { change, signal } = queued
      if (signal?.aborted) queued.reject(new AbortedError(signal.reason))
      else if (node.role !== 'leader') queued.reject(new NotLeaderError(node.leader))
      else if (inEffect(change, node.voters)) queued.resolve()
      else {
        const result = node.proposeMembership(change)
        if (result.accepted)
          this.proposals.wait(result.index, result.term, signal).then(() => queued.resolve(), queued.reject)
        else if (result.leader !== node.id) queued.reject(new NotLeaderError(result.leader))
        else waiting.push(queued)
      }
    }
    this.queued = waiting
  }

  /** Fails every queued change (the host stops). */
  rejectAll(error: () => Error): void {
    for (const queued of this.queued.splice(0)) queued.reject(error())
  }
}

/** Whether the voters already reflect `change`. */
export function inEffect(change: MembershipChange, voters: readonly NodeId[]): boolean {
  return 'add' in change ? voters.includes(change.add) : !voters.includes(change.remove)
}
