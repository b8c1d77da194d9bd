import { toHex } from '../../pbft/digest.js'
import type { ExecutedBatch, ReplicaId } from '../../pbft/types.js'
import { InvariantViolationError } from '../sim/invariant-violation-error.js'

/**
 * Safety of PBFT as the simulator checks it, incrementally, on honest replicas only: no two execute different
 * batches at one sequence number (whatever the views), each executes sequence numbers in order without gaps
 * (except a jump to a certified checkpoint by state transfer), none executes a request twice, and a client
 * only accepts the result honest replicas computed.
 */
export class PbftInvariants {
  private digestBySeq = new Map<number, string>()
  private lastSeq = new Map<ReplicaId, number>()
  private executedRequests = new Map<ReplicaId, Set<string>>()
  private honestResults = new Map<string, string>()

  /** Distinct sequence numbers executed by some honest replica. */
  get executedSeqs(): number {
    return this.digestBySeq.size
  }

  /** An honest replica executed `batch`. */
  executed(replica: ReplicaId, batch: ExecutedBatch): void {
    const last = this.lastSeq.get(replica) ?? 0
    if (batch.seq !== last + 1)
      throw new InvariantViolationError(
        'in-order execution',
        `r${replica} executed ${batch.seq} after ${last}`,
      )
    this.lastSeq.set(replica, batch.seq)
    const digest = toHex(batch.digest)
    const agreed = this.digestBySeq.get(batch.seq)
    if (agreed === undefined) this.digestBySeq.set(batch.seq, digest)
    else if (agreed !== digest)
      throw new InvariantViolationError(
        'agreement',
        `r${replica} executed batch ${digest.slice(0, 12)} at seq ${batch.seq}, another honest replica ${agreed.slice(0, 12)}`,
      )
    let seen = this.executedRequests.get(replica)
    if (!seen) {
      seen = new Set()
      this.executedRequests.set(replica, seen)
    }
    for (const request of batch.requests) {
      const key = `${request.clientId}:${request.timestamp}`
      if (seen.has(key))
        throw new InvariantViolationError('at-most-once', `r${replica} executed ${key} twice`)
      seen.add(key)
    }
  }

  /** An honest replica installed the certified state at `seq` instead of executing up to it. */
  stateTransferred(replica: ReplicaId, seq: number): void {
    const last = this.lastSeq.get(replica) ?? 0
    if (seq <= last)
      throw new InvariantViolationError(
        'in-order execution',
        `r${replica} transferred to ${seq} after ${last}`,
      )
    this.lastSeq.set(replica, seq)
  }

  /** An honest replica replied `resultHex` to `requestKey` (`client:timestamp`). */
  honestReply(replica: ReplicaId, requestKey: string, resultHex: string): void {
    const known = this.honestResults.get(requestKey)
    if (known === undefined) this.honestResults.set(requestKey, resultHex)
    else if (known !== resultHex)
      throw new InvariantViolationError('agreement', `r${replica} replied differently to ${requestKey}`)
  }

  /** A client accepted `resultHex` for `requestKey`: it must be what honest replicas computed. */
  clientAccepted(requestKey: string, resultHex: string): void {
    const known = this.honestResults.get(requestKey)
    if (known !== resultHex)
      throw new InvariantViolationError(
        'client safety',
        `a client accepted a result for ${requestKey} no honest replica gave`,
      )
  }
}
