import { type RaftConfig, type ResolvedRaftConfig, resolveConfig } from './config.js'
import { sameHardState } from './hard-state.js'
import type { Progress } from './progress.js'
import { RaftLog } from './raft-log.js'
import { ReadIndexQueue } from './read-index.js'
import type { HardState, Message, NodeId, ReadState, Ready, Role, Snapshot } from './types.js'

/**
 * The state a Raft node keeps and the `ready()`/`advance()` hand-off with its host; the protocol itself lives
 * in {@link RaftNode}, which extends this.
 */
export abstract class RaftState {
  readonly id: NodeId
  protected readonly config: ResolvedRaftConfig
  /** Voting members in effect (the latest committed membership); `others` is them without this node. */
  protected currentVoters: readonly NodeId[]
  protected others: NodeId[]
  protected readonly log: RaftLog
  /** The latest snapshot: taken by the host (`compact`) or received from the leader. */
  protected latestSnapshot: Snapshot | undefined
  /** A snapshot received from the leader that the host has not yet persisted and restored. */
  protected pendingSnapshot: Snapshot | undefined
  protected term = 0
  protected vote: NodeId | undefined
  protected lead: NodeId | undefined
  protected currentRole: Role = 'follower'
  protected electionElapsed = 0
  protected heartbeatElapsed = 0
  protected randomizedElectionTimeout = 0
  protected votes = new Map<NodeId, boolean>()
  protected progress = new Map<NodeId, Progress>()
  protected outbox: Message[] = []
  protected readStates: ReadState[] = []
  protected readonly reads: ReadIndexQueue
  protected persisted: HardState
  /** The follower a leader is handing leadership to, if any; proposals wait until the transfer ends. */
  protected transferee: NodeId | undefined
  protected transferElapsed = 0

  constructor(config: RaftConfig) {
    this.config = resolveConfig(config)
    this.id = config.id
    const stored = this.config.storage
    this.reads = new ReadIndexQueue(this.config.maxPendingReads)
    this.latestSnapshot = stored?.snapshot
    this.log = new RaftLog(stored?.entries ?? [], stored?.hardState.commit ?? 0, stored?.snapshot)
    this.currentVoters = this.votersAt(this.log.committed)
    this.others = this.currentVoters.filter((p) => p !== this.id)
    this.term = stored?.hardState.term ?? 0
    this.vote = stored?.hardState.vote
    this.persisted = this.hardState()
  }

  /** Current role. */
  get role(): Role {
    return this.currentRole
  }

  /** Current term. */
  get currentTerm(): number {
    return this.term
  }

  /** The leader this node follows (itself when leader), if known. */
  get leader(): NodeId | undefined {
    return this.lead
  }

  /** Voting members in effect: those of the latest committed membership change. */
  get voters(): readonly NodeId[] {
    return this.currentVoters
  }

  /** The latest snapshot this node holds, if its log was compacted. */
  get snapshot(): Snapshot | undefined {
    return this.latestSnapshot
  }

  /** Index of the last log entry. */
  get lastIndex(): number {
    return this.log.lastIndex
  }

  /** Highest index known committed. */
  get commitIndex(): number {
    return this.log.committed
  }

  /** Term of the entry at `index` (0 for index 0), `undefined` beyond the end. */
  termAt(index: number): number | undefined {
    return this.log.term(index)
  }

  /** Whether `ready()` has anything to hand out. */
  hasReady(): boolean {
    return (
      this.pendingSnapshot !== undefined ||
      this.outbox.length > 0 ||
      this.readStates.length > 0 ||
      this.log.stabled < this.log.lastIndex ||
      this.log.applied < this.log.committed ||
      !sameHardState(this.persisted, this.hardState())
    )
  }

  /** The work accumulated since the last `advance()`. Call `advance()` once it is done, before stepping again. */
  ready(): Ready {
    const hs = this.hardState()
    return {
      snapshot: this.pendingSnapshot,
      messages: [...this.outbox],
      entries: this.log.unstable(),
      hardState: sameHardState(this.persisted, hs) ? undefined : hs,
      committedEntries: this.log.toApply(),
      readStates: [...this.readStates],
    }
  }

  /** Acknowledges that the host persisted, sent and applied everything of `rd`. */
  advance(rd: Ready): void {
    if (rd.snapshot && this.pendingSnapshot === rd.snapshot) this.pendingSnapshot = undefined
    this.outbox.splice(0, rd.messages.length)
    this.readStates.splice(0, rd.readStates.length)
    const lastEntry = rd.entries.at(-1)
    if (lastEntry && this.log.term(lastEntry.index) === lastEntry.term)
      this.log.stabled = Math.max(this.log.stabled, lastEntry.index)
    if (rd.hardState) this.persisted = rd.hardState
    const lastApplied = rd.committedEntries.at(-1)
    if (lastApplied) this.log.applied = Math.max(this.log.applied, lastApplied.index)
  }

  /**
   * The voters in effect once everything up to `index` is committed: those of the last membership entry at or
   * below it, else the snapshot's, else the configured peers.
   */
  protected votersAt(index: number): readonly NodeId[] {
    for (let i = Math.min(index, this.log.lastIndex); i >= this.log.firstIndex; i--) {
      const voters = this.log.slice(i, i)[0]?.voters
      if (voters) return voters
    }
    return this.latestSnapshot?.voters ?? this.config.peers
  }

  protected hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }

  protected send(m: Message): void {
    this.outbox.push(m)
  }
}
