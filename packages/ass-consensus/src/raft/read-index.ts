import { QueueFullError } from '@dwcp/core'
import type { NodeId, ReadState } from './types.js'

interface PendingRead extends ReadState {
  seq: number
  acks: Set<NodeId>
}

/**
 * The leader's pending ReadIndex requests (§6.4 of the Raft thesis). Each request takes the next sequence
 * number; heartbeats carry the latest one and followers echo it, so an answer echoing `s` proves the follower
 * still followed this leader after every request up to `s` was made. Once a quorum proved it, those reads
 * are released in order.
 */
export class ReadIndexQueue {
  private seq = 0
  private pending: PendingRead[] = []

  constructor(private readonly pendingMax: number) {}

  /** Sequence number of the latest request (0 before any). */
  get lastSeq(): number {
    return this.seq
  }

  /** Registers a read at commit index `index`; throws core's `QueueFullError` beyond `pendingMax`. */
  add(context: string, index: number, self: NodeId): void {
    if (this.pending.length >= this.pendingMax)
      throw new QueueFullError('raft read-index queue', this.pendingMax)
    this.pending.push({ context, index, seq: ++this.seq, acks: new Set([self]) })
  }

  /** Records that `from` echoed `seq`; returns the reads a quorum has now confirmed, oldest first. */
  ack(from: NodeId, seq: number, quorum: number): ReadState[] {
    let released = -1
    this.pending.forEach((read, i) => {
      if (read.seq > seq) return
      read.acks.add(from)
      if (read.acks.size >= quorum) released = i
    })
    // A read confirmed by a quorum also confirms every earlier one: they were all acknowledged with it.
    return this.pending.splice(0, released + 1).map(({ context, index }) => ({ context, index }))
  }

  /** Drops every pending read: leadership was lost, their callers must retry elsewhere. */
  clear(): void {
    this.pending = []
  }
}
