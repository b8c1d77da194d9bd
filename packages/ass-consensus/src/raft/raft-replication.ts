import { initialProgress, quorumIndex } from './progress.js'
import { quorumSize } from './quorum.js'
import { RaftState } from './raft-state.js'
import type { AppendRequest, AppendResponse, InstallSnapshot, NodeId, Ready } from './types.js'

/**
 * Log replication (§5.3), commit (§5.4.2), membership changes taking effect on commit (§4.1 of the Raft
 * thesis) and InstallSnapshot (§7): the leader's and the follower's side. Elections, proposals and reads are
 * {@link RaftNode}'s, which extends this.
 */
export abstract class RaftReplication extends RaftState {
  /** Reused by {@link maybeCommit}. */
  readonly #matchScratch: number[] = []

  protected resetElectionTimeout(): void {
    const base = this.config.electionTicks
    this.randomizedElectionTimeout = base + Math.floor(this.config.random.next() * base)
  }

  protected reset(term: number): void {
    if (term !== this.term) {
      this.term = term
      this.vote = undefined
    }
    this.lead = undefined
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.votes = new Map()
    this.progress = new Map()
    this.reads.clear()
    this.transferee = undefined
    this.resetElectionTimeout()
  }

  protected becomeFollower(term: number, lead: NodeId | undefined): void {
    this.reset(term)
    this.currentRole = 'follower'
    this.lead = lead
  }

  protected afterLeaderAppend(): void {
    // A single voter commits at once; with others the entry is sent to each of them.
    this.maybeCommit()
    if (this.currentRole !== 'leader') return
    for (const peer of this.others) this.sendAppend(peer, false)
  }

  protected handleAppend(m: AppendRequest): void {
    if (this.currentRole !== 'follower') this.becomeFollower(m.term, m.from)
    this.lead = m.from
    this.electionElapsed = 0
    if (m.prevIndex < this.log.committed) {
      // Everything up to our commit already matches any legitimate leader's log.
      this.answerAppend(m.from, true, this.log.committed, 0, m.readSeq)
      return
    }
    if (!this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      this.answerAppend(m.from, false, 0, m.prevIndex, m.readSeq)
      return
    }
    const lastNew = this.log.merge(m.prevIndex, m.entries)
    // Only what this message proved to match may be marked committed (§5.3, "index of last new entry").
    this.advanceCommit(Math.min(m.commit, lastNew))
    this.answerAppend(m.from, true, lastNew, 0, m.readSeq)
  }

  protected answerAppend(
    to: NodeId,
    success: boolean,
    matchIndex: number,
    rejectedIndex: number,
    readSeq = 0,
  ): void {
    const { id: from, term } = this
    const lastIndex = this.log.lastIndex
    this.send({
      type: 'appendResponse',
      from,
      to,
      term,
      success,
      matchIndex,
      rejectedIndex,
      lastIndex,
      readSeq,
    })
  }

  protected handleAppendResponse(m: AppendResponse): void {
    if (this.currentRole !== 'leader') return
    const pr = this.progress.get(m.from)
    if (!pr) return
    pr.recentActive = true
    // Any answer in this term, even a rejection, shows the follower still follows this leader.
    if (m.readSeq)
      this.readStates.push(...this.reads.ack(m.from, m.readSeq, quorumSize(this.currentVoters.length)))
    if (m.success) {
      // A follower that was being probed was skipped by every broadcast meanwhile, commit updates included.
      const wasProbing = pr.state === 'probe'
      if (m.matchIndex > pr.match) pr.match = m.matchIndex
      pr.next = Math.max(pr.next, pr.match + 1)
      pr.state = 'replicate'
      pr.paused = false
      // A commit may put a membership change into effect: this leader may have removed the follower or itself.
      if (this.maybeCommit() && (this.currentRole !== 'leader' || !this.progress.has(m.from))) return
      this.sendAppend(m.from, wasProbing)
      if (m.from === this.transferee && pr.match === this.log.lastIndex)
        this.send({ type: 'timeoutNow', from: this.id, to: m.from, term: this.term })
      return
    }
    // A rejection of an index already known to match is a late duplicate; one that crosses a snapshot in
    // flight is answered by that snapshot.
    if (m.rejectedIndex <= pr.match || pr.state === 'snapshot') return
    pr.next = Math.max(pr.match + 1, Math.min(m.rejectedIndex, m.lastIndex + 1))
    pr.state = 'probe'
    pr.paused = false
    this.sendAppend(m.from, false)
  }

  /**
   * Acknowledges a handled `Ready`; a leader whose own entries just became durable may now commit more. The
   * host may send a leader's appends before persisting its entries (§10.2.1 of the Raft thesis: the leader's
   * write overlaps the followers'), so the leader counts its own log only as far as it is persisted.
   */
  override advance(rd: Ready): void {
    const stabledBefore = this.log.stabled
    super.advance(rd)
    if (this.currentRole === 'leader' && this.log.stabled > stabledBefore) this.maybeCommit()
  }

  /**
   * Advances the commit index to what a majority of voters has persisted (the leader's own log counts as far
   * as it is persisted), counting only entries of this term (§5.4.2).
   */
  protected maybeCommit(): boolean {
    // Runs on every append answer: the scratch array is reused so the hot path allocates nothing.
    const matches = this.#matchScratch
    matches.length = 0
    if (this.currentVoters.includes(this.id)) matches.push(this.log.stabled)
    for (const peer of this.others) matches.push(this.progress.get(peer)!.match)
    const index = quorumIndex(matches)
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false
    this.advanceCommit(index)
    // Followers learn the new commit index from the next append or heartbeat (at most a tick away), not from
    // a message of its own: that one would double the messages per write when writes come one at a time (an
    // append and its answer per follower for the entry, again for its commit), and sit between the commit and
    // the client's answer on the leader. The commit index is only needed by followers to apply; no
    // acknowledgement waits for it.
    return true
  }

  /**
   * Raises the commit index and puts committed membership changes into effect. A leader adds progress for a
   * new voter and forgets a removed one; a leader that removed itself steps down (the others elect a leader
   * among the new voters).
   */
  protected advanceCommit(index: number): boolean {
    const previous = this.log.committed
    if (!this.log.commitTo(index)) return false
    let voters: readonly NodeId[] | undefined
    for (const entry of this.log.slice(previous + 1, index)) if (entry.voters) voters = entry.voters
    if (voters) this.applyVoters(voters)
    return true
  }

  private applyVoters(voters: readonly NodeId[]): void {
    this.currentVoters = voters
    this.others = voters.filter((v) => v !== this.id)
    if (this.currentRole !== 'leader') return
    for (const peer of this.others)
      if (!this.progress.has(peer))
        this.progress.set(peer, { ...initialProgress(this.log.lastIndex), recentActive: true })
    for (const peer of [...this.progress.keys()]) {
      if (this.others.includes(peer)) continue
      // One last append carries the commit of its removal, so that the removed node stops campaigning.
      this.sendAppend(peer, true)
      this.progress.delete(peer)
    }
    // The voters learn at once that the change committed (a leader that removed itself sends nothing more).
    for (const peer of this.others) this.sendAppend(peer, true)
    if (voters.includes(this.id)) return
    // A leader that removed itself hands over to a voter holding its whole log, as a leadership transfer does,
    // rather than leave the others without a leader until their election timeout.
    const successor = this.others.find((peer) => this.progress.get(peer)!.match === this.log.lastIndex)
    if (successor !== undefined)
      this.send({ type: 'timeoutNow', from: this.id, to: successor, term: this.term })
    this.becomeFollower(this.term, undefined)
  }

  protected handleSnapshot(m: InstallSnapshot): void {
    if (this.currentRole !== 'follower') this.becomeFollower(m.term, m.from)
    this.lead = m.from
    this.electionElapsed = 0
    const snapshot = m.snapshot
    if (snapshot.index <= this.log.committed) {
      this.answerAppend(m.from, true, this.log.committed, 0)
      return
    }
    if (this.log.matchTerm(snapshot.index, snapshot.term)) {
      // The log already holds what the snapshot covers: commit it instead of throwing the log away.
      this.advanceCommit(snapshot.index)
      this.answerAppend(m.from, true, snapshot.index, 0)
      return
    }
    this.log.restore(snapshot)
    this.latestSnapshot = snapshot
    this.pendingSnapshot = snapshot
    this.currentVoters = snapshot.voters
    this.others = snapshot.voters.filter((v) => v !== this.id)
    this.answerAppend(m.from, true, snapshot.index, 0)
  }

  private sendSnapshot(to: NodeId): void {
    const pr = this.progress.get(to)!
    const snapshot = this.latestSnapshot
    if (!snapshot) throw new Error(`log compacted to ${this.log.snapshotIndex} without a snapshot`)
    this.send({ type: 'snapshot', from: this.id, to, term: this.term, snapshot })
    pr.state = 'snapshot'
    pr.snapshotTicks = 0
    pr.paused = true
    pr.next = snapshot.index + 1
  }

  protected sendAppend(to: NodeId, evenIfEmpty: boolean): void {
    const pr = this.progress.get(to)!
    if (pr.state === 'snapshot' || (pr.state === 'probe' && pr.paused)) return
    if (pr.next - 1 < this.log.snapshotIndex) {
      // The entries this follower needs are compacted away.
      this.sendSnapshot(to)
      return
    }
    const last = Math.min(this.log.lastIndex, pr.next + this.config.maxEntriesPerMessage - 1)
    const entries = this.log.slice(pr.next, last)
    if (entries.length === 0 && !evenIfEmpty) return
    const prevIndex = pr.next - 1
    this.send({
      type: 'append',
      from: this.id,
      to,
      term: this.term,
      prevIndex,
      prevTerm: this.log.term(prevIndex) ?? 0,
      entries,
      commit: this.log.committed,
      readSeq: this.reads.lastSeq,
    })
    if (pr.state === 'replicate') pr.next = prevIndex + entries.length + 1
    else pr.paused = true
  }
}
