import { InvalidArgumentError } from '@dwcp/core'
import type { RaftConfig } from './config.js'
import { initialProgress } from './progress.js'
import { takeQuorumActive, voteOutcome } from './quorum.js'
import { RaftReplication } from './raft-replication.js'
import type {
  Message,
  NodeId,
  ProposeResult,
  ReadIndexResult,
  ReadState,
  Snapshot,
  VoteRequest,
  VoteResponse,
} from './types.js'

/**
 * A Raft state machine without I/O, after etcd's raft: the host calls `tick()` at a fixed rate, feeds every
 * received message to `step()`, and regularly drains `ready()` (persist, send, apply) then calls `advance()`.
 * Nothing here reads a clock, a timer or `Math.random`: a run is a pure function of its inputs and the
 * injected `Random`.
 */
export class RaftNode extends RaftReplication {
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
        if (this.config.checkQuorum && !takeQuorumActive(this.progress.values(), this.currentVoters.length)) {
          this.becomeFollower(this.term, undefined)
          return
        }
      }
      if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
        this.heartbeatElapsed = 0
        for (const peer of this.others) {
          const pr = this.progress.get(peer)!
          if (pr.state === 'snapshot') {
            // A snapshot can be large: sent again only if it has gone unanswered for an election timeout.
            pr.snapshotTicks += this.config.heartbeatTicks
            if (pr.snapshotTicks < this.config.electionTicks) continue
            pr.state = 'probe'
          }
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
   * Proposes adding or removing one voter (single-server membership change, §4.1 of the Raft thesis). The
   * change takes effect on each node when the entry commits; until then the old voters decide. Refused while an
   * earlier change is uncommitted, before this leader has committed an entry of its own term (otherwise two
   * changes decided by different leaders could overlap), when `add` is already a voter, when `remove` is not
   * one, and when it would leave no voter.
   */
  proposeMembership(change: { add: NodeId } | { remove: NodeId }): ProposeResult {
    if (this.currentRole !== 'leader' || this.transferee !== undefined)
      return { accepted: false, leader: this.lead }
    if (this.log.term(this.log.committed) !== this.term) return { accepted: false, leader: this.id }
    for (const entry of this.log.slice(this.log.committed + 1, this.log.lastIndex))
      if (entry.voters) return { accepted: false, leader: this.id }
    let voters: NodeId[]
    if ('add' in change) {
      if (this.currentVoters.includes(change.add)) return { accepted: false, leader: this.id }
      voters = [...this.currentVoters, change.add]
    } else {
      if (!this.currentVoters.includes(change.remove) || this.currentVoters.length === 1)
        return { accepted: false, leader: this.id }
      voters = this.currentVoters.filter((v) => v !== change.remove)
    }
    const index = this.log.lastIndex + 1
    this.log.append({ term: this.term, index, data: undefined, voters })
    this.afterLeaderAppend()
    return { accepted: true, index, term: this.term }
  }

  /**
   * Compacts the log up to `index` (§7): the host applied everything through `index` and serialized its state
   * machine as `data`. The node keeps that snapshot to send to followers that fall behind it, and drops the
   * entries it covers; the host persists the same snapshot (`storage.compact`). Returns the snapshot, or
   * undefined when `index` is not above the current snapshot.
   */
  compact(index: number, data: Uint8Array): Snapshot | undefined {
    if (!Number.isInteger(index) || index > this.log.applied)
      throw new InvalidArgumentError(
        'index',
        `${index} is not an applied index (applied ${this.log.applied})`,
      )
    if (index <= this.log.snapshotIndex) return undefined
    const snapshot: Snapshot = { index, term: this.log.term(index)!, voters: this.votersAt(index), data }
    this.log.compact(index)
    this.latestSnapshot = snapshot
    return snapshot
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
    if (m.to !== this.id) return
    // Votes count only among voters. Replication is taken from any leader of a current term: a node just added
    // may not yet know the membership that includes it.
    const isVoteTraffic =
      m.type === 'vote' || m.type === 'preVote' || m.type === 'voteResponse' || m.type === 'preVoteResponse'
    if (isVoteTraffic && !this.currentVoters.includes(m.from)) return
    const fromLeader = m.type === 'append' || m.type === 'snapshot'
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'preVote') && !m.transfer && this.inLease()) return
      const keepsTerm = m.type === 'preVote' || (m.type === 'preVoteResponse' && m.granted)
      if (!keepsTerm) this.becomeFollower(m.term, fromLeader ? m.from : undefined)
    } else if (m.term < this.term) {
      // Answer a stale leader so it learns the new term and steps down (with pre-vote or check-quorum it could
      // otherwise never hear of it), and reject a stale pre-vote so the pre-candidate learns it too.
      if (m.type === 'append') this.answerAppend(m.from, false, 0, m.prevIndex)
      else if (m.type === 'snapshot') this.answerAppend(m.from, false, 0, m.snapshot.index)
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
      case 'snapshot':
        this.handleSnapshot(m)
        return
      case 'timeoutNow':
        // Only the leader of this term sends it; a pre-vote would be refused by nodes still in its lease.
        if (this.currentRole === 'follower' && this.lead === m.from) this.campaignAs('candidate', true)
        return
    }
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
    // A node outside the voters (removed, or added but not yet committed) never campaigns. Its election clock
    // keeps running, so that its lease on a leader it no longer hears from expires and it answers votes.
    if (!this.currentVoters.includes(this.id)) return
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
    if (voteOutcome(this.votes, this.currentVoters.length) === 'won') {
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
      // Refused only because this log is ahead: when this node has not heard from a leader for an election
      // timeout either, it is the one that can win, so it campaigns now instead of at its own randomized
      // timeout. After a leader dies under load its followers' logs differ by the entries in flight, and
      // otherwise the election would wait for the most up-to-date follower's timeout, not the earliest one.
      if (canVote && this.currentRole === 'follower' && this.electionElapsed >= this.config.electionTicks)
        this.startElection()
    }
  }

  private handleVoteResponse(m: VoteResponse): void {
    const expected = this.currentRole === 'preCandidate' ? 'preVoteResponse' : 'voteResponse'
    if (this.currentRole === 'follower' || this.currentRole === 'leader' || m.type !== expected) return
    this.votes.set(m.from, m.granted)
    const outcome = voteOutcome(this.votes, this.currentVoters.length)
    if (outcome === 'won') {
      if (this.currentRole === 'preCandidate') this.campaignAs('candidate')
      else this.becomeLeader()
    } else if (outcome === 'lost') {
      this.becomeFollower(this.term, undefined)
    }
  }

  private answerVote(type: VoteResponse['type'], to: NodeId, term: number, granted: boolean): void {
    this.send({ type, from: this.id, to, term, granted })
  }
}
