import { isAuthentic } from './certificates.js'
import type { PbftConfig } from './config.js'
import type { PbftMessage } from './types.js'
import { PbftViewChanging } from './view-changing.js'

/**
 * A PBFT replica (Castro–Liskov, OSDI '99 / TOCS 2002) without I/O, in the style of etcd's raft: the host
 * calls `tick()` at a fixed rate, hands every replica message to `step()` and every client request to
 * `request()`, then drains `ready()` (send messages, deliver replies, record executed batches) and calls
 * `advance()`. Nothing here reads a clock, a timer or `Math.random`.
 *
 * @example
 * ```ts
 * import { PbftReplica, simulationSigners } from '@dwcp/ass-consensus'
 *
 * const signers = simulationSigners(4, 1)
 * const replicas = signers.map((signer, id) => new PbftReplica({ id, signer }))
 * replicas[0]!.request({ clientId: 'c1', timestamp: 1, operation: new Uint8Array([1]) })
 * const { messages } = replicas[0]!.ready() // one pre-prepare for the others
 * replicas[0]!.advance()
 * ```
 */
export class PbftReplica extends PbftViewChanging {
  private ticks = 0
  /** Client whose request a backup is timing the primary on, and that request's timestamp. */
  private timedClient: string | undefined
  private timedTimestamp = 0
  private requestElapsed = 0
  private executedAtLastResend = 0

  constructor(config: PbftConfig) {
    super(config)
  }

  /**
   * Advances logical time by one tick: times the primary on a pending request, times a view change, lets the
   * primary cut a batch, and every `resendTicks` retransmits what has not taken effect.
   */
  tick(): void {
    this.ticks++
    if (this.changingView) {
      // The paper's liveness rule: wait for the next view only once 2f + 1 replicas asked for this one, so a
      // replica cut off from the others does not race ahead through views nobody else will join.
      if (this.viewChangeQuorum() && ++this.newViewElapsed >= this.viewChangeTimeoutTicks())
        this.startViewChange(this.currentView + 1)
    } else {
      this.timePrimary()
      this.cutBatches(true)
    }
    if (this.ticks % this.config.resendTicks === 0) {
      this.resendViewChange()
      if (!this.changingView) this.resendUncommitted()
      this.resendCheckpoint()
      // Pull what is missing on evidence of lagging: a gap below a committed batch, a stable checkpoint ahead,
      // traffic above the high water mark, or nothing executed for a whole period while something waits (a
      // pending request, a slot that has not committed). Waiting less than a period is just a round in flight.
      const stalled =
        this.lastExecutedSeq === this.executedAtLastResend &&
        (this.pending.size > 0 || (!this.changingView && this.hasStalledSlot()))
      this.executedAtLastResend = this.lastExecutedSeq
      if (
        stalled ||
        this.committedBatches.size > 0 ||
        this.stableSeq > this.lastExecutedSeq ||
        this.seenBeyondWindow
      )
        this.requestMissing()
      this.seenBeyondWindow = false
    }
  }

  /**
   * Handles one message from another replica. Messages naming this replica or an unknown one as sender, or
   * whose signature does not verify, are dropped (and counted in `rejected`).
   */
  step(message: PbftMessage): void {
    if (message.replica === this.id || !(message.replica >= 0 && message.replica < this.n)) {
      this.rejected.sender++
      return
    }
    if (!isAuthentic(this.config.signer, message)) {
      this.rejected.signature++
      return
    }
    switch (message.type) {
      case 'prePrepare':
        this.onPrePrepare(message)
        return
      case 'prepare':
        this.onPrepare(message)
        return
      case 'commit':
        this.onCommit(message)
        return
      case 'checkpoint':
        this.onCheckpoint(message)
        return
      case 'viewChange':
        this.onViewChange(message)
        return
      case 'newView':
        this.onNewView(message)
        return
      case 'request':
        this.onRelay(message)
        return
      case 'fetch':
        this.onFetch(message)
        return
      case 'executed':
        this.onExecutedAnswer(message)
        return
      case 'state':
        this.onStateTransfer(message)
        return
    }
  }

  protected onViewInstalled(): void {
    this.timedClient = undefined
    this.requestElapsed = 0
  }

  /**
   * A replica starts a timer when it waits for a request and none runs, stops it when that request executes,
   * and restarts it for the next waiting one; on expiry it moves to the next view. Unlike the paper, the
   * primary times its own requests too: a primary whose batches cannot commit (its backups are split across
   * views) is as stuck as they are, and its view change is what lets the join rule gather f + 1.
   */
  private timePrimary(): void {
    if (this.timedClient !== undefined) {
      const waiting = this.pending.get(this.timedClient)
      if (!waiting || waiting.timestamp !== this.timedTimestamp) this.timedClient = undefined
    }
    if (this.timedClient === undefined) {
      const next = this.pending.values().next()
      if (next.done) return
      this.timedClient = next.value.clientId
      this.timedTimestamp = next.value.timestamp
      this.requestElapsed = 0
    }
    if (++this.requestElapsed >= this.viewChangeTimeoutTicks()) {
      this.timedClient = undefined
      this.startViewChange(this.currentView + 1)
    }
  }
}
