import {
  AbortedError,
  AlreadyStartedError,
  type Clock,
  type Counter,
  isDwcpError,
  type Logger,
  METRIC_NAMES,
  NotLeaderError,
  NotStartedError,
  type Startable,
  silentLogger,
  throwIfAborted,
} from '@dwcp/core'
import { TickLoop } from '../host/tick-loop.js'
import { RaftNode } from '../raft/raft-node.js'
import { sendableBeforePersist } from '../raft/ready-order.js'
import type { Entry, HardState, NodeId, Ready, Role } from '../raft/types.js'
import { decodeRaftMessage, encodeRaftMessage } from '../raft-wire/raft-codec.js'
import { inEffect, type MembershipChange, MembershipQueue } from './membership-queue.js'
import { PendingProposals } from './pending-proposals.js'
import { PendingReads } from './pending-reads.js'
import { SnapshotWork } from './snapshot-work.js'
import type { ProposeOutcome, RaftHostOptions } from './types.js'

/** Most `ready()` rounds handled in one turn; what remains is handled in the next one, so a turn stays short. */
const READY_ROUNDS_MAX = 16
/**
 * Entries applied between two snapshots by default: etcd's `--snapshot-count`. A snapshot serializes the whole
 * state machine (in slices when it supports `beginSnapshot`) and writes it to storage (in pieces when the
 * storage supports `beginCompaction`), within a share of the event loop (see {@link SnapshotWork}): tens of
 * megabytes for 100,000 keys, so it must stay rare.
 */
export const DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100_000
/** Most membership changes queued at once: they are applied one at a time anyway. */
const MEMBERSHIP_CHANGES_MAX = 16

/**
 * Runs a {@link RaftNode} against real I/O: ticks it on the injected clock, feeds it decoded messages, and
 * handles its `Ready`s in the order Raft requires: persist (one `storage.save` per `Ready`), send, restore
 * the snapshot, apply, serve reads, `advance`. Ready work is handled once per turn of the event loop (a
 * zero-delay timer of the clock), so the proposals and messages of one turn share one durable write, as etcd
 * batches them.
 *
 * On `stop()` the host persists what is pending, clears its timers, stops listening and rejects every pending
 * call with `AbortedError`; it never closes the storage, which its caller owns.
 */
export class RaftHost implements Startable {
  private node: RaftNode | undefined
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly errors: Counter | undefined
  private readonly proposals: PendingProposals
  private readonly reads: PendingReads
  private readonly changes: MembershipQueue
  private loop: TickLoop | undefined
  private unsubscribe: (() => void) | undefined
  private applied = 0
  /** A snapshot being serialized and written, in the background of the writes. */
  private readonly snapshots: SnapshotWork
  private installed = 0
  /** The hard state last written, and one not yet written (only its commit index changed). */
  private savedHardState: HardState | undefined
  private unsavedHardState: HardState | undefined
  private readSeq = 0
  private wasLeaderInTerm: number | undefined

  constructor(private readonly options: RaftHostOptions) {
    this.clock = options.clock
    this.logger = (options.logger ?? silentLogger()).child({ component: 'raft-host', node: options.id })
    this.errors = options.metrics?.counter(METRIC_NAMES.errors)
    this.proposals = new PendingProposals(
      options.clock,
      options.maxPendingProposals ?? 10_000,
      options.metrics?.histogram(METRIC_NAMES.consensusLatency),
    )
    this.reads = new PendingReads(options.maxPendingReads ?? 1024)
    this.changes = new MembershipQueue(this.proposals, MEMBERSHIP_CHANGES_MAX)
    this.snapshots = new SnapshotWork({
      clock: options.clock,
      storage: options.storage,
      logger: this.logger,
      errors: this.errors,
      compact: (index, data) => this.node?.compact(index, data),
      wake: () => this.scheduleReady(),
    })
  }

  /** This node's id. */
  get id(): NodeId {
    return this.options.id
  }

  /** Whether the host is running. */
  get running(): boolean {
    return this.node !== undefined
  }

  /** The node's role (`follower` while stopped). */
  get role(): Role {
    return this.node?.role ?? 'follower'
  }

  /** The leader this node knows of, if any. */
  get leader(): NodeId | undefined {
    return this.node?.leader
  }

  /** The node's current term. */
  get term(): number {
    return this.node?.currentTerm ?? 0
  }

  /** Highest index known committed. */
  get commitIndex(): number {
    return this.node?.commitIndex ?? 0
  }

  /** Highest index the state machine has applied. */
  get appliedIndex(): number {
    return this.applied
  }

  /** Voting members in effect (the bootstrap peers while stopped). */
  get voters(): readonly NodeId[] {
    return this.node?.voters ?? this.options.peers
  }

  /** Snapshots received from a leader and installed since start (a lagging node's catch-up). */
  get snapshotsInstalled(): number {
    return this.installed
  }

  /** Index of the latest snapshot (0: none). */
  get snapshotIndex(): number {
    return this.node?.snapshot?.index ?? 0
  }

  /** Loads the storage, restores the state machine from its snapshot, starts listening and ticking. */
  async start(options?: { signal?: AbortSignal }): Promise<void> {
    throwIfAborted(options?.signal)
    if (this.node) throw new AlreadyStartedError('raft host')
    const o = this.options
    const stored = o.storage.load()
    const node = new RaftNode({
      id: o.id,
      peers: o.peers,
      random: o.random,
      electionTicks: o.electionTicks ?? 10,
      heartbeatTicks: o.heartbeatTicks ?? 1,
      maxEntriesPerMessage: o.maxEntriesPerMessage ?? 64,
      storage: stored,
    })
    // The state machine is not durable: rebuild it from the snapshot; the node hands out the entries after it.
    if (stored.snapshot) o.stateMachine.restore(stored.snapshot.data)
    this.applied = stored.snapshot?.index ?? 0
    this.savedHardState = stored.hardState
    this.unsavedHardState = undefined
    this.node = node
    this.unsubscribe = o.transport.onMessage((from, bytes) => this.receive(from, bytes))
    this.loop = new TickLoop(
      this.clock,
      o.tickMs ?? 15,
      () => this.node?.tick(),
      () => this.handleReady(),
    )
    this.loop.start()
    this.loop.scheduleReady()
    this.logger.info({ term: node.currentTerm, applied: this.applied }, 'raft host started')
  }

  /** Persists pending work, clears timers, stops listening, and rejects pending calls with `AbortedError`. */
  async stop(_options?: { signal?: AbortSignal }): Promise<void> {
    if (!this.node) return
    this.handleReady()
    this.flushHardState()
    // A snapshot still being serialized or written is dropped: the log it would have compacted is all
    // persisted, and the store keeps the previous snapshot until a new one is in place.
    this.snapshots.stop()
    this.loop?.stop()
    this.loop = undefined
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.node = undefined
    const stopped = (): Error => new AbortedError('raft host stopped')
    this.proposals.rejectAll(stopped)
    this.reads.rejectAll(stopped)
    this.changes.rejectAll(stopped)
    this.logger.info({}, 'raft host stopped')
  }

  /**
   * Proposes a command. Resolves once it is committed and applied here, with its index and the state
   * machine's result. Rejects with `NotLeaderError` (naming the leader when known) on a follower or when
   * leadership is lost before the entry commits, `QueueFullError` when too many proposals wait, and
   * `AbortedError` on abort (the command may still commit) or stop.
   */
  propose(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<ProposeOutcome> {
    try {
      const node = this.started()
      throwIfAborted(options?.signal)
      this.proposals.checkRoom()
      const result = node.propose(data)
      if (!result.accepted) throw new NotLeaderError(result.leader)
      const promise = this.proposals.wait(result.index, result.term, options?.signal)
      this.scheduleReady()
      return promise
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * A linearizable read barrier (ReadIndex): resolves with an index once the leader confirmed it still leads
   * and this node applied through that index; reading local state then is linearizable. Only the leader
   * serves reads; elsewhere it rejects with `NotLeaderError`.
   */
  read(options?: { signal?: AbortSignal }): Promise<{ index: number }> {
    try {
      const node = this.started()
      throwIfAborted(options?.signal)
      if (node.role !== 'leader') throw new NotLeaderError(node.leader)
      const promise = this.reads.add(`${this.id}/${++this.readSeq}`, options?.signal)
      this.scheduleReady()
      return promise
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Adds a voter; resolves once the change is applied here (at once when it already is a voter). */
  addMember(id: NodeId, options?: { signal?: AbortSignal }): Promise<void> {
    return this.changeMembership({ add: id }, options?.signal)
  }

  /** Removes a voter; resolves once the change is applied here (at once when it is no voter). */
  removeMember(id: NodeId, options?: { signal?: AbortSignal }): Promise<void> {
    return this.changeMembership({ remove: id }, options?.signal)
  }

  private changeMembership(change: MembershipChange, signal: AbortSignal | undefined): Promise<void> {
    try {
      const node = this.started()
      throwIfAborted(signal)
      if (node.role !== 'leader') throw new NotLeaderError(node.leader)
      if (inEffect(change, node.voters)) return Promise.resolve()
      const promise = this.changes.add(change, signal)
      this.scheduleReady()
      return promise
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private started(): RaftNode {
    if (!this.node) throw new NotStartedError('raft host')
    return this.node
  }

  private receive(from: NodeId, bytes: Uint8Array): void {
    const node = this.node
    if (!node) return
    let message: ReturnType<typeof decodeRaftMessage>
    try {
      message = decodeRaftMessage(bytes, this.options.wireLimits)
    } catch (error) {
      if (!isDwcpError(error)) throw error
      // A corrupt message is dropped like a lost one: Raft retransmits what matters.
      this.errors?.inc({ component: 'raft', code: error.code })
      this.logger.warn({ from, code: error.code, reason: error.message }, 'dropped a raft message')
      return
    }
    if (message.from !== from) {
      this.logger.warn({ from, claimed: message.from }, 'dropped a raft message with a forged sender')
      return
    }
    node.step(message)
    this.scheduleReady()
  }

  private scheduleReady(): void {
    this.loop?.scheduleReady()
  }

  private handleReady(): void {
    const node = this.node
    if (!node) return
    for (let round = 0; round < READY_ROUNDS_MAX; round++) {
      this.retryQueued(node)
      if (!node.hasReady()) break
      const rd = node.ready()
      this.process(node, rd)
      node.advance(rd)
      this.maybeSnapshot(node)
      this.checkLeadership(node)
    }
    this.snapshots.run()
    // A leader can step down on a tick without any Ready (check-quorum keeps term and vote): check anyway.
    this.checkLeadership(node)
    // Queued reads and changes are retried at the next Ready (each tick makes one), never in a busy loop.
    if (node.hasReady()) this.scheduleReady()
  }

  private process(node: RaftNode, rd: Ready): void {
    // A leader's appends leave first, so its own disk write overlaps the followers' (the core counts the
    // leader's entries only once advance() reports them persisted).
    for (const m of rd.messages)
      if (sendableBeforePersist(m)) this.options.transport.send(m.to, encodeRaftMessage(m))
    this.persist(rd)
    for (const m of rd.messages)
      if (!sendableBeforePersist(m)) this.options.transport.send(m.to, encodeRaftMessage(m))
    if (rd.snapshot) {
      this.options.stateMachine.restore(rd.snapshot.data)
      this.applied = rd.snapshot.index
      this.installed++
      this.proposals.rejectThrough(rd.snapshot.index, () => new NotLeaderError(node.leader))
    }
    for (const entry of rd.committedEntries) this.apply(node, entry)
    this.reads.confirmed(rd.readStates)
    this.reads.serve(this.applied)
  }

  /**
   * Writes the durable part of `rd`. A hard state whose only change is the commit index is not synced on its
   * own: the commit index is volatile state in Raft (a restarted node learns it again from the leader), so it
   * waits for the next write with entries, a term or a vote, or for `stop()`. That saves the leader one fsync
   * per commit.
   */
  private persist(rd: Ready): void {
    const hs = rd.hardState
    const termOrVote =
      hs !== undefined && (hs.term !== this.savedHardState?.term || hs.vote !== this.savedHardState?.vote)
    if (hs) this.unsavedHardState = hs
    if (!rd.snapshot && rd.entries.length === 0 && !termOrVote) return
    this.options.storage.save({
      snapshot: rd.snapshot,
      entries: rd.entries,
      hardState: this.unsavedHardState,
    })
    if (this.unsavedHardState) this.savedHardState = this.unsavedHardState
    this.unsavedHardState = undefined
  }

  /** Writes a hard state left unsaved (a commit index) before the host stops. */
  private flushHardState(): void {
    if (!this.unsavedHardState) return
    this.options.storage.save({ entries: [], hardState: this.unsavedHardState })
    this.savedHardState = this.unsavedHardState
    this.unsavedHardState = undefined
  }

  private apply(node: RaftNode, entry: Entry): void {
    if (entry.index <= this.applied) return
    // Membership changes and a new leader's empty entry are Raft's own; only commands reach the application.
    const command = entry.voters === undefined && entry.data !== undefined
    const result = command ? this.options.stateMachine.apply(entry.data!, entry.index) : undefined
    this.applied = entry.index
    this.proposals.applied(entry, result, node.leader)
  }

  /** Starts a snapshot every `snapshotEveryEntries` applied entries (one at a time). */
  private maybeSnapshot(node: RaftNode): void {
    if (this.snapshots.busy) return
    const every = this.options.snapshotEveryEntries ?? DEFAULT_SNAPSHOT_EVERY_ENTRIES
    if (this.applied - (node.snapshot?.index ?? 0) < every) return
    const machine = this.options.stateMachine
    // The log is compacted to the index the snapshot is begun at: commands applied since stay in the log. A
    // snapshot installed from the leader meanwhile makes this one obsolete (the node refuses to compact to it).
    if (machine.beginSnapshot) this.snapshots.serialize(this.applied, machine.beginSnapshot())
    else this.snapshots.store(this.applied, machine.snapshot())
  }

  /** Fails what only a leader can finish once this node stops leading (or leads in a later term). */
  private checkLeadership(node: RaftNode): void {
    const leadingTerm = node.role === 'leader' ? node.currentTerm : undefined
    if (this.wasLeaderInTerm !== undefined && this.wasLeaderInTerm !== leadingTerm)
      this.reads.rejectUnconfirmed(() => new NotLeaderError(node.leader))
    this.wasLeaderInTerm = leadingTerm
  }

  /** Offers queued reads and membership changes to the node again; fails them once it no longer leads. */
  private retryQueued(node: RaftNode): void {
    for (const context of this.reads.queued()) {
      const result =
        node.role === 'leader' ? node.readIndex(context) : { accepted: false, leader: node.leader }
      if (result.accepted) this.reads.accepted(context)
      else if (result.leader !== node.id) this.reads.reject(context, new NotLeaderError(result.leader))
    }
    this.changes.retry(node)
  }
}
