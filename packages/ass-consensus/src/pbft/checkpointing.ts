import { certifiedCheckpoint } from './certificates.js'
import { batchDigest, equalBytes, toHex } from './digest.js'
import { PbftReplicaState } from './replica-state.js'
import { sortedReplies, stateDigest } from './service.js'
import type { Checkpoint, Executed, Fetch, ReplicaId, ReplyRecord, StateTransfer } from './types.js'

interface OwnState {
  snapshot: Uint8Array
  replies: ReplyRecord[]
}

/**
 * Checkpoints (Castro–Liskov §4.3) and catching up: every K executed sequence numbers a replica broadcasts
 * the digest of its state; 2f + 1 matching ones make the checkpoint stable, which truncates the log and moves
 * the water marks. A replica that missed batches fetches them (f + 1 matching answers prove a batch executed
 * at an honest replica) or, below the others' stable checkpoint, the certified state itself.
 */
export abstract class PbftCheckpointing extends PbftReplicaState {
  /** Checkpoint votes per replica, a few each, so that a faulty replica cannot evict the others' votes. */
  private checkpointVotes = new Map<ReplicaId, Map<number, Checkpoint>>()
  /** This replica's states at its recent checkpoints, to serve state transfers. */
  private ownStates = new Map<number, OwnState>()
  private ownCheckpoint: Checkpoint | undefined
  private fetchAnswers = new Map<number, Map<ReplicaId, Executed>>()
  /** State transfers installed. */
  stateTransfers = 0

  protected takeCheckpoint(seq: number): void {
    const snapshot = this.service.snapshot()
    const replies = sortedReplies(this.lastReplies.values())
    this.ownStates.set(seq, { snapshot, replies })
    const cp: Checkpoint = {
      type: 'checkpoint',
      seq,
      stateDigest: stateDigest(snapshot, replies),
      replica: this.id,
      signature: new Uint8Array(),
    }
    this.ownCheckpoint = this.send('all', cp)
    this.onCheckpoint(cp)
  }

  protected onCheckpoint(cp: Checkpoint): void {
    if (cp.seq <= this.stableSeq || cp.seq % this.config.checkpointIntervalSeqs !== 0) return
    let votes = this.checkpointVotes.get(cp.replica)
    if (!votes) {
      votes = new Map()
      this.checkpointVotes.set(cp.replica, votes)
    }
    if (votes.has(cp.seq)) return
    votes.set(cp.seq, cp)
    const keep = this.config.watermarkWindowSeqs / this.config.checkpointIntervalSeqs + 2
    while (votes.size > keep) votes.delete(Math.min(...votes.keys()))
    const key = toHex(cp.stateDigest)
    const proof: Checkpoint[] = []
    for (const replicaVotes of this.checkpointVotes.values()) {
      const vote = replicaVotes.get(cp.seq)
      if (vote && toHex(vote.stateDigest) === key) proof.push(vote)
    }
    if (proof.length >= 2 * this.f + 1) this.adoptStable(cp.seq, proof)
  }

  /** Makes the checkpoint at `seq` stable: truncates the log below it and moves the water marks. */
  protected adoptStable(seq: number, proof: Checkpoint[]): void {
    if (seq <= this.stableSeq) return
    this.stableSeq = seq
    this.stableProof = proof
    for (const map of [
      this.slots,
      this.preparedCerts,
      this.committedBatches,
      this.executedLog,
      this.fetchAnswers,
    ])
      for (const key of map.keys()) if (key <= seq) map.delete(key)
    for (const key of this.ownStates.keys()) if (key < seq) this.ownStates.delete(key)
    for (const votes of this.checkpointVotes.values())
      for (const key of votes.keys()) if (key <= seq) votes.delete(key)
    this.nextSeq = Math.max(this.nextSeq, seq + 1)
    if (this.lastExecutedSeq < seq) this.requestMissing()
    this.cutBatches(false)
  }

  /** Asks every replica for the first batch this replica has not executed. */
  protected requestMissing(): void {
    this.send('all', {
      type: 'fetch',
      seq: this.lastExecutedSeq + 1,
      view: this.currentView,
      replica: this.id,
      signature: new Uint8Array(),
    })
  }

  /** Resends this replica's latest checkpoint while it is not stable (it may have been lost). */
  protected resendCheckpoint(): void {
    if (this.ownCheckpoint && this.ownCheckpoint.seq > this.stableSeq)
      this.outbox.push({ to: 'all', message: this.ownCheckpoint })
  }

  protected onFetch(m: Fetch): void {
    // The asker is in an older view: the NEW-VIEW that installed this one brings it over (self-certifying).
    if (m.view < this.currentView && this.newViewMessage && !this.changingView)
      this.outbox.push({ to: m.replica, message: this.newViewMessage })
    const own = this.ownStates.get(this.stableSeq)
    if (m.seq <= this.stableSeq && own && this.lastExecutedSeq >= this.stableSeq) {
      const state: StateTransfer = {
        type: 'state',
        seq: this.stableSeq,
        checkpointProof: this.stableProof,
        snapshot: own.snapshot,
        replies: own.replies,
        replica: this.id,
        signature: new Uint8Array(),
      }
      this.send(m.replica, state)
      return
    }
    this.sendVotesFrom(m.seq, m.replica)
    const batch = this.executedLog.get(m.seq)
    if (batch)
      this.send(m.replica, {
        type: 'executed',
        seq: m.seq,
        digest: batch.digest,
        batch: batch.batch,
        replica: this.id,
        signature: new Uint8Array(),
      })
  }

  protected onExecutedAnswer(m: Executed): void {
    if (m.seq <= this.lastExecutedSeq || m.seq > this.lastExecutedSeq + this.config.watermarkWindowSeqs)
      return
    if (!equalBytes(m.digest, batchDigest(m.batch))) {
      this.rejected.digest++
      return
    }
    for (const key of this.fetchAnswers.keys()) if (key <= this.lastExecutedSeq) this.fetchAnswers.delete(key)
    let answers = this.fetchAnswers.get(m.seq)
    if (!answers) {
      answers = new Map()
      this.fetchAnswers.set(m.seq, answers)
    }
    if (!answers.has(m.replica)) answers.set(m.replica, m)
    const key = toHex(m.digest)
    let matching = 0
    for (const answer of answers.values()) if (toHex(answer.digest) === key) matching++
    // f + 1 replicas vouch for it: at least one is honest, and an honest replica only executes what committed.
    if (matching >= this.f + 1 && !this.committedBatches.has(m.seq)) {
      this.committedBatches.set(m.seq, { view: -1, digest: m.digest, batch: m.batch })
      this.executeReady()
    }
  }

  protected onStateTransfer(m: StateTransfer): void {
    if (m.seq <= this.lastExecutedSeq) return
    const digest = certifiedCheckpoint(this.ctx, m.seq, m.checkpointProof)
    if (digest === undefined || m.seq === 0) {
      this.rejected.certificate++
      return
    }
    if (!equalBytes(stateDigest(m.snapshot, m.replies), digest)) {
      this.rejected.digest++
      return
    }
    this.service.restore(m.snapshot)
    this.lastReplies = new Map(m.replies.map((r) => [r.clientId, r]))
    this.lastExecutedSeq = m.seq
    this.transferredTo = m.seq
    this.stateTransfers++
    this.ownStates.set(m.seq, { snapshot: m.snapshot, replies: m.replies })
    for (const [client, request] of this.pending)
      if (request.timestamp <= (this.lastReplies.get(client)?.timestamp ?? -1)) this.pending.delete(client)
    for (const key of this.committedBatches.keys()) if (key <= m.seq) this.committedBatches.delete(key)
    this.adoptStable(m.seq, m.checkpointProof)
    this.executeReady()
    // What committed above the checkpoint meanwhile is fetched next.
    this.requestMissing()
  }

  /** Sends this replica's own votes for the slots of the view from `seq` on; defined by the normal case. */
  protected abstract sendVotesFrom(seq: number, to: number): void
}
