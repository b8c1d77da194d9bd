import { primaryOf, signed } from './certificates.js'
import { PbftNormalCase } from './normal-case.js'
import type { NewView, PrePrepare, ReplicaId, ViewChange } from './types.js'
import { computeNewViewBatches, isValidViewChange, type NewViewPlan, verifyNewView } from './view-change.js'

/** View changes kept per replica: enough for the join rule, bounded against a replica flooding views. */
const VIEW_CHANGES_PER_REPLICA = 4

/**
 * View changes (Castro–Liskov §4.4, liveness §4.5.2): a backup that suspects the primary moves to the next
 * view and sends its stable checkpoint and prepared certificates; the new primary gathers 2f + 1 of them and
 * issues NEW-VIEW with O; backups accept it only if recomputing O gives the same pre-prepares.
 */
export abstract class PbftViewChanging extends PbftNormalCase {
  private viewChanges = new Map<ReplicaId, Map<number, ViewChange>>()
  private ownViewChange: ViewChange | undefined
  /** This replica's recent view changes, by view, to resend to a replica still gathering an older one. */
  private ownViewChanges = new Map<number, ViewChange>()
  /** Ticks waited for NEW-VIEW since 2f + 1 view changes for the current view arrived. */
  protected newViewElapsed = 0
  /** View changes this replica started (by timeout or by joining). */
  viewChangesStarted = 0

  /** The view-change timeout now: doubled for every successive view change without progress, up to a cap. */
  protected viewChangeTimeoutTicks(): number {
    const doublings = Math.min(Math.max(0, this.viewChangeAttempts - 1), this.config.viewChangeBackoffMax)
    return this.config.viewChangeTimeoutTicks * 2 ** doublings
  }

  /** Moves to `newView` (never backwards) and broadcasts a VIEW-CHANGE with this replica's proofs. */
  protected startViewChange(newView: number): void {
    if (newView <= this.currentView) return
    this.currentView = newView
    this.changingView = true
    this.newViewElapsed = 0
    this.viewChangeAttempts++
    this.viewChangesStarted++
    this.slots = new Map()
    this.newViewMessage = undefined
    this.assigned = new Map()
    const prepared = [...this.preparedCerts.entries()]
      .filter(([seq]) => seq > this.stableSeq)
      .sort(([a], [b]) => a - b)
      .map(([, cert]) => cert)
    const vc: ViewChange = {
      type: 'viewChange',
      newView,
      stableSeq: this.stableSeq,
      checkpointProof: this.stableProof,
      prepared,
      replica: this.id,
      signature: new Uint8Array(),
    }
    this.ownViewChange = this.send('all', vc)
    this.ownViewChanges.set(newView, vc)
    for (const view of this.ownViewChanges.keys())
      if (view < newView - VIEW_CHANGES_PER_REPLICA) this.ownViewChanges.delete(view)
    this.recordViewChange(vc)
    this.tryNewView()
  }

  /** Rebroadcasts this replica's VIEW-CHANGE while the view change lasts (it may have been lost). */
  protected resendViewChange(): void {
    if (this.changingView && this.ownViewChange?.newView === this.currentView)
      this.outbox.push({ to: 'all', message: this.ownViewChange })
  }

  /** Whether 2f + 1 replicas (this one included) asked for the current view: only then the timer runs. */
  protected viewChangeQuorum(): boolean {
    return this.viewChangesFor(this.currentView).length >= 2 * this.f + 1
  }

  protected onViewChange(vc: ViewChange): void {
    if (vc.newView < this.currentView || (vc.newView === this.currentView && !this.changingView)) {
      // The sender is behind: the NEW-VIEW that installed this view is self-certifying, so forward it. Without
      // one, send this replica's own view change for the sender's view again: it may be the one missing
      // there, and it still tells the truth (no view was installed here since it was made, so nothing
      // prepared).
      if (this.newViewMessage) this.outbox.push({ to: vc.replica, message: this.newViewMessage })
      else {
        const own = this.ownViewChanges.get(vc.newView)
        if (own) this.outbox.push({ to: vc.replica, message: own })
      }
      return
    }
    // A retransmission of a view change already checked needs no second check.
    if (this.viewChanges.get(vc.replica)?.has(vc.newView)) return
    if (!isValidViewChange(this.ctx, vc)) {
      this.rejected.certificate++
      return
    }
    this.recordViewChange(vc)
    // Join rule: f + 1 replicas want a later view, so at least one honest replica timed out.
    const later: number[] = []
    for (const views of this.viewChanges.values()) {
      const highest = Math.max(...views.keys())
      if (highest > this.currentView) later.push(highest)
    }
    if (later.length >= this.f + 1) {
      this.startViewChange(Math.min(...later))
      return
    }
    if (this.changingView && vc.newView === this.currentView) this.tryNewView()
  }

  protected onNewView(nv: NewView): void {
    if (nv.view < this.currentView || (nv.view === this.currentView && !this.changingView)) return
    const plan = verifyNewView(this.ctx, nv)
    if (!plan) {
      this.rejected.certificate++
      return
    }
    this.installNewView(nv, plan)
  }

  private recordViewChange(vc: ViewChange): void {
    let views = this.viewChanges.get(vc.replica)
    if (!views) {
      views = new Map()
      this.viewChanges.set(vc.replica, views)
    }
    views.set(vc.newView, vc)
    for (const view of views.keys()) if (view < this.currentView) views.delete(view)
    while (views.size > VIEW_CHANGES_PER_REPLICA) views.delete(Math.min(...views.keys()))
  }

  private viewChangesFor(view: number): ViewChange[] {
    const out: ViewChange[] = []
    for (const views of this.viewChanges.values()) {
      const vc = views.get(view)
      if (vc) out.push(vc)
    }
    return out
  }

  /** The new primary issues NEW-VIEW once it holds 2f + 1 view changes for its view. */
  private tryNewView(): void {
    if (!this.changingView || primaryOf(this.currentView, this.n) !== this.id) return
    const vcs = this.viewChangesFor(this.currentView).sort((a, b) => a.replica - b.replica)
    if (vcs.length < 2 * this.f + 1) return
    const chosen = vcs.slice(0, 2 * this.f + 1)
    const plan = computeNewViewBatches(chosen)
    const prePrepares: PrePrepare[] = plan.batches.map((b) =>
      signed(this.config.signer, {
        type: 'prePrepare',
        view: this.currentView,
        seq: b.seq,
        digest: b.digest,
        batch: b.batch,
        replica: this.id,
        signature: new Uint8Array(),
      }),
    )
    const nv: NewView = {
      type: 'newView',
      view: this.currentView,
      viewChanges: chosen,
      prePrepares,
      replica: this.id,
      signature: new Uint8Array(),
    }
    this.installNewView(this.send('all', nv), plan)
  }

  private installNewView(nv: NewView, plan: NewViewPlan): void {
    this.currentView = nv.view
    this.changingView = false
    this.newViewElapsed = 0
    this.newViewMessage = nv
    // Older view changes no longer tell the truth once this replica may prepare in the new view.
    this.ownViewChanges.clear()
    this.slots = new Map()
    this.assigned = new Map()
    this.nextSeq = Math.max(plan.maxSeq, this.stableSeq) + 1
    // Requests O re-proposes count as ordered before anything else can cut a batch.
    for (const pp of nv.prePrepares)
      for (const request of pp.batch)
        if (request.timestamp > (this.assigned.get(request.clientId) ?? -1))
          this.assigned.set(request.clientId, request.timestamp)
    if (plan.minSeq > this.stableSeq) this.adoptStable(plan.minSeq, plan.checkpointProof)
    for (const pp of nv.prePrepares) if (pp.seq > this.stableSeq) this.acceptPrePrepare(pp)
    for (const views of this.viewChanges.values())
      for (const view of views.keys()) if (view <= this.currentView) views.delete(view)
    this.onViewInstalled()
    this.cutBatches(false)
  }

  /** Hook for the replica to reset its request timer once a view is installed. */
  protected abstract onViewInstalled(): void
}
