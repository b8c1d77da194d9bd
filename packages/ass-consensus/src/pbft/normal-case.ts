import { countMatching } from './certificates.js'
import { PbftCheckpointing } from './checkpointing.js'
import { batchDigest, equalBytes } from './digest.js'
import type { ClientRequest, Commit, PrePrepare, Prepare, RequestRelay } from './types.js'

/**
 * The normal case (Castro–Liskov §4.2): the primary orders batches of requests with pre-prepares inside the
 * water marks, backups prepare, everyone commits, and committed batches execute in sequence order, each
 * request at most once per client timestamp.
 */
export abstract class PbftNormalCase extends PbftCheckpointing {
  /**
   * A client's request reached this replica. A retransmission of the last executed request is answered with
   * the cached reply; an older one is ignored. The primary orders it; a backup relays it to the primary and
   * starts timing the primary.
   */
  request(request: ClientRequest): void {
    this.acceptRequest(request, false)
  }

  protected onRelay(m: RequestRelay): void {
    // Only the primary orders relayed requests; a backup would start suspecting the primary on the word of a
    // single (possibly faulty) replica.
    if (this.isPrimary()) this.acceptRequest(m.request, true)
  }

  private acceptRequest(request: ClientRequest, relayed: boolean): void {
    if (!this.isAuthenticRequest(request)) {
      this.rejected.client++
      return
    }
    const last = this.lastReplies.get(request.clientId)
    if (last && request.timestamp <= last.timestamp) {
      if (request.timestamp === last.timestamp && !relayed) this.reply(last)
      return
    }
    const known = this.pending.get(request.clientId)
    if (known && known.timestamp > request.timestamp) return
    if (!known && this.pending.size >= this.config.maxPendingRequests) return
    if (!known || known.timestamp < request.timestamp) this.pending.set(request.clientId, request)
    if (this.changingView) return
    if (this.isPrimary()) this.cutBatches(false)
    else if (!relayed)
      this.send(this.primary, { type: 'request', request, replica: this.id, signature: new Uint8Array() })
  }

  /**
   * Orders pending requests. A batch is cut at once when nothing is in flight or a full batch is waiting, and
   * on a tick (`force`) whatever is waiting, so requests arriving while a round runs share the next round.
   */
  protected cutBatches(force: boolean): void {
    if (!this.isPrimary() || this.changingView) return
    for (;;) {
      if (this.nextSeq > this.stableSeq + this.config.watermarkWindowSeqs) return
      const batch: ClientRequest[] = []
      for (const request of this.pending.values()) {
        if (request.timestamp <= (this.lastReplies.get(request.clientId)?.timestamp ?? -1)) continue
        if (request.timestamp <= (this.assigned.get(request.clientId) ?? -1)) continue
        batch.push(request)
        if (batch.length === this.config.maxBatchRequests) break
      }
      if (batch.length === 0) return
      const inFlight = this.nextSeq - 1 > this.lastExecutedSeq
      if (inFlight && !force && batch.length < this.config.maxBatchRequests) return
      force = false
      for (const request of batch) this.assigned.set(request.clientId, request.timestamp)
      const pp: PrePrepare = {
        type: 'prePrepare',
        view: this.currentView,
        seq: this.nextSeq++,
        digest: batchDigest(batch),
        batch,
        replica: this.id,
        signature: new Uint8Array(),
      }
      this.acceptPrePrepare(this.send('all', pp))
    }
  }

  private isAuthenticRequest(request: ClientRequest): boolean {
    return this.config.authenticateRequest?.(request) ?? true
  }

  protected onPrePrepare(pp: PrePrepare): void {
    if (this.changingView || pp.view !== this.currentView) {
      this.rejected.view++
      return
    }
    if (pp.replica !== this.primary) {
      this.rejected.sender++
      return
    }
    if (!this.inWindow(pp.seq)) {
      this.rejected.watermark++
      return
    }
    if (pp.batch.length > this.config.maxBatchRequests || !equalBytes(pp.digest, batchDigest(pp.batch))) {
      this.rejected.digest++
      return
    }
    if (!pp.batch.every((request) => this.isAuthenticRequest(request))) {
      this.rejected.client++
      return
    }
    const slot = this.slot(pp.seq)
    if (slot.prePrepare) {
      // The same pre-prepare again is a retransmission; a different one for the same (view, seq) is the
      // primary equivocating, and only the first is kept.
      if (!equalBytes(slot.prePrepare.digest, pp.digest)) this.rejected.digest++
      else this.resendOwn(slot.prepares.get(this.id), pp.replica)
      return
    }
    this.acceptPrePrepare(pp)
  }

  /** Logs a pre-prepare already checked (own, received, or from a NEW-VIEW) and answers it with a prepare. */
  protected acceptPrePrepare(pp: PrePrepare): void {
    const slot = this.slot(pp.seq)
    slot.prePrepare = pp
    for (const request of pp.batch) {
      // Backups time the primary on the requests it ordered too, so a batch that never commits (for example
      // an equivocated one) leads to a view change.
      const known = this.pending.get(request.clientId)
      const executed = this.lastReplies.get(request.clientId)?.timestamp ?? -1
      if (request.timestamp <= executed || (known && known.timestamp >= request.timestamp)) continue
      if (known || this.pending.size < this.config.maxPendingRequests)
        this.pending.set(request.clientId, request)
    }
    if (!this.isPrimary()) {
      const prepare: Prepare = {
        type: 'prepare',
        view: pp.view,
        seq: pp.seq,
        digest: pp.digest,
        replica: this.id,
        signature: new Uint8Array(),
      }
      slot.prepares.set(this.id, this.send('all', prepare))
    }
    this.checkPrepared(pp.seq)
  }

  protected onPrepare(p: Prepare): void {
    if (this.changingView || p.view !== this.currentView) {
      this.rejected.view++
      return
    }
    if (p.replica === this.primary) {
      this.rejected.sender++
      return
    }
    if (!this.inWindow(p.seq)) {
      this.rejected.watermark++
      return
    }
    const slot = this.slot(p.seq)
    if (!slot.prepares.has(p.replica)) slot.prepares.set(p.replica, p)
    // A replica still preparing what this one already prepared may have lost its commit: send it again.
    // Answers never answer answers (a commit is never answered), so retransmissions cannot ping-pong.
    if (slot.prepared) this.resendOwn(slot.commits.get(this.id), p.replica)
    else this.checkPrepared(p.seq)
  }

  protected onCommit(c: Commit): void {
    if (this.changingView || c.view !== this.currentView) {
      this.rejected.view++
      return
    }
    if (!this.inWindow(c.seq)) {
      this.rejected.watermark++
      return
    }
    const slot = this.slot(c.seq)
    if (!slot.commits.has(c.replica)) slot.commits.set(c.replica, c)
    this.checkCommitted(c.seq)
  }

  private resendOwn(message: Prepare | Commit | undefined, to: number): void {
    if (message && to !== this.id) this.outbox.push({ to, message })
  }

  /**
   * The primary retransmits its pre-prepares of the view that have not committed (a backup that never got one
   * cannot ask for what it does not know exists). Bounded by the water-mark window.
   */
  protected resendUncommitted(): void {
    if (!this.isPrimary()) return
    for (const [seq, slot] of this.slots)
      if (!slot.committed && seq > this.lastExecutedSeq && slot.prePrepare)
        this.outbox.push({ to: 'all', message: slot.prePrepare })
  }

  /** Whether some sequence number of this view above the executed ones has not committed here. */
  protected hasStalledSlot(): boolean {
    for (const [seq, slot] of this.slots) if (!slot.committed && seq > this.lastExecutedSeq) return true
    return false
  }

  /**
   * Answers a fetch with this replica's own pre-prepares, prepares and commits of the view from `seq` on: the
   * asker lost some of them. A fetch is never sent in answer to anything, so answers cannot ping-pong.
   */
  protected sendVotesFrom(seq: number, to: number): void {
    if (this.changingView) return
    for (const [s, slot] of this.slots) {
      if (s < seq || !slot.prePrepare) continue
      if (this.isPrimary()) this.outbox.push({ to, message: slot.prePrepare })
      const prepare = slot.prepares.get(this.id)
      if (prepare) this.outbox.push({ to, message: prepare })
      const commit = slot.commits.get(this.id)
      if (commit) this.outbox.push({ to, message: commit })
    }
  }

  private checkPrepared(seq: number): void {
    const slot = this.slots.get(seq)
    const pp = slot?.prePrepare
    if (!slot || !pp || slot.prepared) return
    const matching = [...slot.prepares.values()].filter((p) => equalBytes(p.digest, pp.digest))
    if (matching.length < 2 * this.f) return
    slot.prepared = true
    this.preparedCerts.set(seq, { prePrepare: pp, prepares: matching.slice(0, 2 * this.f) })
    const commit: Commit = {
      type: 'commit',
      view: pp.view,
      seq,
      digest: pp.digest,
      replica: this.id,
      signature: new Uint8Array(),
    }
    slot.commits.set(this.id, this.send('all', commit))
    this.checkCommitted(seq)
  }

  private checkCommitted(seq: number): void {
    const slot = this.slots.get(seq)
    const pp = slot?.prePrepare
    if (!slot || !pp || !slot.prepared || slot.committed) return
    if (countMatching(slot.commits, pp.digest) < 2 * this.f + 1) return
    slot.committed = true
    if (seq > this.lastExecutedSeq)
      this.committedBatches.set(seq, { view: pp.view, digest: pp.digest, batch: pp.batch })
    this.executeReady()
  }

  protected executeReady(): void {
    for (;;) {
      const seq = this.lastExecutedSeq + 1
      const committed = this.committedBatches.get(seq)
      if (!committed) break
      this.committedBatches.delete(seq)
      const executed: ClientRequest[] = []
      for (const request of committed.batch) {
        const last = this.lastReplies.get(request.clientId)
        if (last && request.timestamp <= last.timestamp) continue
        const result = this.service.execute(request, seq)
        const record = { clientId: request.clientId, timestamp: request.timestamp, result }
        this.lastReplies.set(request.clientId, record)
        this.reply(record)
        executed.push(request)
        const waiting = this.pending.get(request.clientId)
        if (waiting && waiting.timestamp <= request.timestamp) this.pending.delete(request.clientId)
      }
      this.lastExecutedSeq = seq
      this.viewChangeAttempts = 0
      this.executedLog.set(seq, committed)
      this.executedBox.push({ seq, view: committed.view, digest: committed.digest, requests: executed })
      if (seq % this.config.checkpointIntervalSeqs === 0) this.takeCheckpoint(seq)
    }
    this.cutBatches(false)
  }
}
