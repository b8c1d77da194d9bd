import type { RaftConfig } from './config.js'
import { initialProgress, quorumIndex } from './progress.js'
import { quorumSize, takeQuorumActive, voteOutcome } from './quorum.js'
import { RaftState } from './raft-state.js'
import type {
  AppendRequest,
  AppendResponse,
  Message,
  NodeId,
  ProposeResult,
  ReadIndexResult,
  ReadState,
  VoteRequest,
  VoteResponse,
} from './types.js'

/**
 * A Raft state machine without I/O, after etcd's raft: the host calls `tick()` at a fixed rate, feeds every
 * received message to `step()`, and regularly drains `ready()` (persist, send, apply) then calls `advance()`.
 * Nothing here reads a clock, a timer or `Math.random`: a run is a pure function of its inputs and the
 * injected `Random`.
 */
export class RaftNode extends RaftState {
  constructor(config: RaftConfig) {
    super(config)
    this.resetElectionTimeout()
  }

  /** Advances logical time by one tick: may start an election, send heartbeats or step down. */
  tick(): void {
    this.electionElapsed++
    if (this.currentRole === 'leader') {
      this.heartbeatElapsed++
      // A transfer that did not finish within an election timeout is abandoned, so proposals resume.
      if (this.transferee !== undefined && ++this.transferElapsed >= this.config.electionTicks)
        this.transferee = undefined
      if (this.electionElapsed >= this.config.electionTicks) {
        this.electionElapsed = 0
        if (this.config.checkQuorum && !takeQuorumActive(this.progress.values(), this.config.peers.length)) {
          this.becomeFollower(this.term, undefined)
          return
        }
      }
      if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
        this.heartbeatElapsed = 0
        for (const peer of this.others) {
          const pr = this.progress.get(peer)!
          pr.paused = false
          this.sendAppend(peer, true)
        }
      }
      return
    }
    if (this.electionElapsed >= this.randomizedElectionTimeout) this.startElection()
  }

  /** Appends `data` to the log when this node leads; otherwise says who might. */
  propose(data: Uint8Array): ProposeResult {
    if (this.currentRole !== 'leader' || this.transferee !== undefined)
      return { accepted: false, leader: this.lead }
    const index = this.log.lastIndex + 1
    this.log.append({ term: this.term, index, data })
    this.afterLeaderAppend()
    return { accepted: true, index, term: this.term }
  }

  /**
   * Asks for a linearizable read without writing to the log (ReadIndex): the leader notes its commit index and
   * confirms with a quorum that it still leads; a {@link ReadState} with `context` then appears in `ready()`.
   * Refused on a follower, and on a new leader until an entry of its own term has committed (before that it
   * cannot know the latest commit index). Reads pending when leadership is lost are dropped.
   */
  readIndex(context: string): ReadIndexResult {
    if (this.currentRole !== 'leader') return { accepted: false, leader: this.lead }
    if (this.log.term(this.log.committed) !== this.term) return { accepted: false, leader: this.id }
    if (this.others.length === 0) {
      this.readStates.push({ context, index: this.log.committed })
      return { accepted: true }
    }
    this.reads.add(context, this.log.committed, this.id)
    for (const peer of this.others) this.sendAppend(peer, true)
    return { accepted: true }
  }

  /** Starts an election now, as if the election timeout had elapsed (a no-op on a leader). */
  campaign(): void {
    if (this.currentRole !== 'leader') this.startElection()
  }

  /**
   * Hands leadership to `to` (§3.10 of the Raft thesis): proposals are refused meanwhile, the follower is
   * caught up, then told to campaign at once. Returns false when this node does not lead or `to` is no other
   * member. Abandoned after an election timeout if `to` does not take over.
   */
  transferLeadership(to: NodeId): boolean {
    if (this.currentRole !== 'leader' || to === this.id || !this.others.includes(to)) return false
    this.transferee = to
    this.transferElapsed = 0
    const pr = this.progress.get(to)!
    if (pr.match === this.log.lastIndex) this.send({ type: 'timeoutNow', from: this.id, to, term: this.term })
    else this.sendAppend(to, false)
    return true
  }

  /** Processes one message from a peer. Messages from unknown nodes or to other nodes are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || !this.config.peers.includes(m.from)) return
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'preVote') && !m.transfer && this.inLease()) return
      const keepsTerm = m.type === 'preVote' || (m.type === 'preVoteResponse' && m.granted)
      if (!keepsTerm) this.becomeFollower(m.term, m.type === 'append' ? m.from : undefined)
    } else if (m.term < this.term) {
      // Answer a stale leader so it learns the new term and steps down (with pre-vote or check-quorum it could
      // otherwise never hear of it), and reject a stale pre-vote so the pre-candidate learns it too.
      if (m.type === 'append') this.answerAppend(m.from, false, 0, m.prevIndex)
      else if (m.type === 'preVote') this.answerVote('preVoteResponse', m.from, this.term, false)
      return
    }
    switch (m.type) {
      case 'vote':
      case 'preVote':
        this.handleVoteRequest(m)
        return
      case 'voteResponse':
      case 'preVoteResponse':
        this.handleVoteResponse(m)
        return
      case 'append':
        this.handleAppend(m)
        return
      case 'appendResponse':
        this.handleAppendResponse(m)
        return
      case 'timeoutNow':
        // Only the leader of this term sends it; a pre-vote would be refused by nodes still in its lease.
        if (this.currentRole === 'follower' && this.lead === m.from) this.campaignAs('candidate', true)
        return
    }
  }

  private resetElectionTimeout(): void {
    const base = this.config.electionTicks
    this.randomizedElectionTimeout = base + Math.floor(this.config.random.next() * base)
  }

  private reset(term: number): void {
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

  private becomeFollower(term: number, lead: NodeId | undefined): void {
    this.reset(term)
    this.currentRole = 'follower'
    this.lead = lead
  }

  /**
   * With check-quorum, a node that heard from a live leader (or is one) within the election timeout ignores
   * requests to vote in a later term: a leader that a quorum still follows is not deposed by a node that merely
   * lost touch with it.
   */
  private inLease(): boolean {
    return (
      this.config.checkQuorum && this.lead !== undefined && this.electionElapsed < this.config.electionTicks
    )
  }

  private startElection(): void {
    if (this.config.preVote) this.campaignAs('preCandidate')
    else this.campaignAs('candidate')
  }

  private campaignAs(role: 'preCandidate' | 'candidate', transfer = false): void {
    if (role === 'candidate') {
      this.reset(this.term + 1)
      this.vote = this.id
    } else {
      // A pre-candidate keeps its term and vote: it only asks whether it could win.
      this.lead = undefined
      this.electionElapsed = 0
      this.votes = new Map()
      this.resetElectionTimeout()
    }
    this.currentRole = role
    this.votes.set(this.id, true)
    if (voteOutcome(this.votes, this.config.peers.length) === 'won') {
      if (role === 'preCandidate') this.campaignAs('candidate')
      else this.becomeLeader()
      return
    }
    const type = role === 'preCandidate' ? 'preVote' : 'vote'
    const term = role === 'preCandidate' ? this.term + 1 : this.term
    for (const peer of this.others) {
      this.send({
        type,
        from: this.id,
        to: peer,
        term,
        lastIndex: this.log.lastIndex,
        transfer,
        lastTerm: this.log.lastTerm,
      })
    }
  }

  private becomeLeader(): void {
    this.reset(this.term)
    this.vote = this.id
    this.currentRole = 'leader'
    this.lead = this.id
    for (const peer of this.others) this.progress.set(peer, initialProgress(this.log.lastIndex))
    // An entry of the new term: earlier terms' entries only commit underneath one (§5.4.2).
    this.log.append({ term: this.term, index: this.log.lastIndex + 1, data: undefined })
    this.afterLeaderAppend()
  }

  private afterLeaderAppend(): void {
    if (!this.maybeCommit()) for (const peer of this.others) this.sendAppend(peer, false)
  }

  private handleVoteRequest(m: VoteRequest): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === undefined && this.lead === undefined) ||
      (m.type === 'preVote' && m.term > this.term)
    const response = m.type === 'vote' ? 'voteResponse' : 'preVoteResponse'
    if (canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)) {
      // A granted answer carries the request's term so the candidate counts it for that campaign.
      this.answerVote(response, m.from, m.term, true)
      if (m.type === 'vote') {
        this.electionElapsed = 0
        this.vote = m.from
      }
    } else {
      this.answerVote(response, m.from, this.term, false)
    }
  }

  private handleVoteResponse(m: VoteResponse): void {
    const expected = this.currentRole === 'preCandidate' ? 'preVoteResponse' : 'voteResponse'
    if (this.currentRole === 'follower' || this.currentRole === 'leader' || m.type !== expected) return
    this.votes.set(m.from, m.granted)
    const outcome = voteOutcome(this.votes, this.config.peers.length)
    if (outcome === 'won') {
      if (this.currentRole === 'preCandidate') this.campaignAs('candidate')
      else this.becomeLeader()
    } else if (outcome === 'lost') {
      this.becomeFollower(this.term, undefined)
    }
  }

  private handleAppend(m: AppendRequest): void {
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
    this.log.commitTo(Math.min(m.commit, lastNew))
    this.answerAppend(m.from, true, lastNew, 0, m.readSeq)
  }

  private answerAppend(
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

  private answerVote(type: VoteResponse['type'], to: NodeId, term: number, granted: boolean): void {
    this.send({ type, from: this.id, to, term, granted })
  }

  private handleAppendResponse(m: AppendResponse): void {
    if (this.currentRole !== 'leader') return
    const pr = this.progress.get(m.from)
    if (!pr) return
    pr.recentActive = true
    // Any answer in this term, even a rejection, shows the follower still follows this leader.
    if (m.readSeq)
      this.readStates.push(...this.reads.ack(m.from, m.readSeq, quorumSize(this.config.peers.length)))
    if (m.success) {
      // A follower that was being probed was skipped by every broadcast meanwhile, commit updates included.
      const wasProbing = pr.state === 'probe'
      if (m.matchIndex > pr.match) pr.match = m.matchIndex
      pr.next = Math.max(pr.next, pr.match + 1)
      pr.state = 'replicate'
      pr.paused = false
      if (!this.maybeCommit()) this.sendAppend(m.from, wasProbing)
      if (m.from === this.transferee && pr.match === this.log.lastIndex)
        this.send({ type: 'timeoutNow', from: this.id, to: m.from, term: this.term })
      return
    }
    // A rejection of an index already known to match is a late duplicate.
    if (m.rejectedIndex <= pr.match) return
    pr.next = Math.max(pr.match + 1, Math.min(m.rejectedIndex, m.lastIndex + 1))
    pr.state = 'probe'
    pr.paused = false
    this.sendAppend(m.from, false)
  }

  /** Advances the commit index to what a majority stores, counting only entries of this term (§5.4.2). */
  private maybeCommit(): boolean {
    const matches = [this.log.lastIndex, ...this.others.map((p) => this.progress.get(p)!.match)]
    const index = quorumIndex(matches)
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false
    this.log.commitTo(index)
    // Tell followers at once rather than at the next heartbeat.
    for (const peer of this.others) this.sendAppend(peer, true)
    return true
  }

  private sendAppend(to: NodeId, evenIfEmpty: boolean): void {
    const pr = this.progress.get(to)!
    if (pr.state === 'probe' && pr.paused) return
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
