import { type RaftConfig, type ResolvedRaftConfig, resolveConfig } from './config.js'
import { sameHardState } from './hard-state.js'
import type { Progress } from './progress.js'
import { RaftLog } from './raft-log.js'
import { ReadIndexQueue } from './read-index.js'
import type { HardState, Message, NodeId, ReadState, Ready, Role } from './types.js'

/**
 * The state a Raft node keeps and the `ready()`/`advance()` hand-off with its host; the protocol itself lives
 * in {@link RaftNode}, which extends this.
 */
export abstract class RaftState {
  readonly id: NodeId
  protected readonly config: ResolvedRaftConfig
  protected readonly others: NodeId[]
  protected readonly log: RaftLog
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
    this.others = this.config.peers.filter((p) => p !== this.id)
    const stored = this.config.storage
    this.reads = new ReadIndexQueue(this.config.maxPendingReads)
    this.log = new RaftLog(stored?.entries ?? [], stored?.hardState.commit ?? 0)
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
      messages: [...this.outbox],
      entries: this.log.unstable(),
      hardState: sameHardState(this.persisted, hs) ? undefined : hs,
      committedEntries: this.log.toApply(),
      readStates: [...this.readStates],
    }
  }

  /** Acknowledges that the host persisted, sent and applied everything of `rd`. */
  advance(rd: Ready): void {
    this.outbox.splice(0, rd.messages.length)
    this.readStates.splice(0, rd.readStates.length)
    const lastEntry = rd.entries.at(-1)
    if (lastEntry && this.log.term(lastEntry.index) === lastEntry.term)
      this.log.stabled = Math.max(this.log.stabled, lastEntry.index)
    if (rd.hardState) this.persisted = rd.hardState
    const lastApplied = rd.committedEntries.at(-1)
    if (lastApplied) this.log.applied = Math.max(this.log.applied, lastApplied.index)
  }

  protected hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }

  protected send(m: Message): void {
    this.outbox.push(m)
  }
}
