import { type Random, seededRandom } from '@dwcp/core'
import type { RaftConfig } from '../../raft/config.js'
import { RaftNode } from '../../raft/raft-node.js'
import { sendableBeforePersist } from '../../raft/ready-order.js'
import type { Entry, HardState, Message, Ready, Snapshot } from '../../raft/types.js'
import { KvClients } from './kv-clients.js'
import { putCommand, SimKvMachine } from './kv-machine.js'
import { LogInvariants, type LogItem, type NodeView } from './log-invariants.js'
import { type NetworkFaults, SimNetwork } from './network.js'

/** Options of a {@link RaftCluster}. */
export interface RaftClusterOptions {
  /** Node ids: the voters of the new cluster. */
  ids: readonly string[]
  /** Further nodes that may join later (see {@link RaftCluster.addVoter}); they start down. @default [] */
  spareIds?: readonly string[]
  /** The run's only source of randomness. */
  random: Random
  /** Initial network faults. */
  faults?: Partial<NetworkFaults>
  /**
   * Probability that a node crashes while handling a `ready()`: half the time before persisting anything,
   * half after persisting but before sending, so that unpersisted state and unsent messages are really lost.
   * @default 0
   */
  crashInReadyRate?: number
  /**
   * A node compacts its log (snapshot of its state machine) once it has applied this many entries past its
   * last snapshot. @default Infinity (never)
   */
  compactEveryEntries?: number
  /** Raft options shared by every node (ids, peers, random and storage are the cluster's). */
  raft?: Omit<RaftConfig, 'id' | 'peers' | 'random' | 'storage'>
}

/** What survives a crash: exactly what `ready()` asked to persist, and the snapshots taken. */
interface Durable {
  hardState: HardState
  /** A hard state not yet written: only its commit index changed. Lost on a crash. */
  pendingHardState?: HardState | undefined
  snapshot: Snapshot | undefined
  /** Entries after the snapshot. */
  entries: Entry[]
}

const decoder = new TextDecoder()

/** The content key of an entry: the command, `noop` for a leader's empty entry, `voters:…` for a change. */
function keyOf(entry: Entry): string {
  if (entry.voters) return `voters:${entry.voters.join(',')}`
  return entry.data === undefined ? 'noop' : decoder.decode(entry.data)
}

/**
 * A deterministic Raft cluster: N {@link RaftNode}s over a {@link SimNetwork}, driven one tick at a time.
 * Every `ready()` is handled at once (persist, send, restore, apply), crash loses everything not persisted,
 * restart rebuilds a node from its durable state (snapshot and log), and {@link LogInvariants} are checked after
 * every step of every node, throwing `InvariantViolationError` on the first breach. Clients' puts and gets are
 * recorded in {@link RaftCluster.clients} for the linearizability checker.
 */
export class RaftCluster {
  readonly network: SimNetwork<Message>
  readonly invariants = new LogInvariants()
  readonly clients = new KvClients()
  private readonly ids: readonly string[]
  private readonly initialVoters: readonly string[]
  private readonly random: Random
  private readonly raftOptions: RaftClusterOptions['raft']
  private readonly compactEveryEntries: number
  private readonly nodes = new Map<string, RaftNode | undefined>()
  private readonly durable = new Map<string, Durable>()
  /** Each node's state machine. Lost on a crash, rebuilt from the snapshot and by replay. */
  private readonly machines = new Map<string, SimKvMachine>()
  private tickCount = 0
  /** Orders every client-visible event (finer than ticks), for the history's real-time order. */
  private eventCount = 0
  private readCount = 0
  private snapshotCount = 0
  private crashInReadyRate: number

  constructor(options: RaftClusterOptions) {
    this.initialVoters = options.ids
    this.ids = [...options.ids, ...(options.spareIds ?? [])]
    this.random = options.random
    this.raftOptions = options.raft
    this.compactEveryEntries = options.compactEveryEntries ?? Number.POSITIVE_INFINITY
    this.crashInReadyRate = options.crashInReadyRate ?? 0
    this.network = new SimNetwork<Message>(options.random, options.faults)
    for (const id of this.ids) {
      this.durable.set(id, {
        hardState: { term: 0, vote: undefined, commit: 0 },
        snapshot: undefined,
        entries: [],
      })
      this.machines.set(id, new SimKvMachine())
      if (this.initialVoters.includes(id)) this.start(id)
      else this.nodes.set(id, undefined)
    }
  }

  /** Changes the probability of a crash while handling a `ready()`. */
  setCrashInReadyRate(rate: number): void {
    this.crashInReadyRate = rate
  }

  /** Ticks elapsed. */
  get now(): number {
    return this.tickCount
  }

  /** Snapshots installed from a leader so far (log catch-up by snapshot). */
  get snapshotsInstalled(): number {
    return this.snapshotCount
  }

  /** The live node with this id, if it is up. */
  node(id: string): RaftNode | undefined {
    return this.nodes.get(id)
  }

  /** Every node id, spares included. */
  allIds(): readonly string[] {
    return this.ids
  }

  /** Ids of nodes that are up. */
  liveIds(): string[] {
    return this.ids.filter((id) => this.nodes.get(id) !== undefined)
  }

  /** Ids of nodes that are down. */
  crashedIds(): string[] {
    return this.ids.filter((id) => this.nodes.get(id) === undefined)
  }

  /**
   * Values the node's state machine applied, in order, whatever their key (restored from a snapshot, then
   * replayed and new).
   */
  appliedValues(id: string): readonly string[] {
    return (this.machines.get(id)?.commands ?? []).map((command) => command.slice(command.indexOf('=') + 1))
  }

  /** One line per node (role, term, last index, commit, applied commands): for failure messages. */
  describe(): string {
    return this.ids
      .map((id) => {
        const node = this.nodes.get(id)
        if (!node) return `${id}: down`
        return `${id}: ${node.role} term ${node.currentTerm} last ${node.lastIndex} commit ${node.commitIndex} applied ${this.appliedValues(id).length} voters ${node.voters.join(',')}`
      })
      .join('; ')
  }

  /** The live leader with the highest term, if any. */
  leader(): RaftNode | undefined {
    let best: RaftNode | undefined
    for (const node of this.nodes.values())
      if (node?.role === 'leader' && (!best || node.currentTerm > best.currentTerm)) best = node
    return best
  }

  /** One tick: every live node ticks, then every message due is delivered. */
  tick(): void {
    this.tickCount++
    for (const id of this.ids) {
      const node = this.nodes.get(id)
      if (!node) continue
      node.tick()
      this.handleReady(id, node)
    }
    for (const message of this.network.deliver(this.tickCount)) {
      const node = this.nodes.get(message.to)
      if (!node) continue
      node.step(message)
      this.handleReady(message.to, node)
    }
  }

  /** Runs `ticks` ticks. */
  run(ticks: number): void {
    for (let i = 0; i < ticks; i++) this.tick()
  }

  /**
   * A client writes `value` under `key` through the leader; returns whether a leader accepted it (not that it
   * committed). `value` alone (no key) writes it under the key `v`.
   */
  propose(value: string, key = 'v'): boolean {
    const leader = this.leader()
    if (!leader) return false
    const result = leader.propose(putCommand(key, value))
    if (result.accepted)
      this.clients.putAccepted(leader.id, key, value, result.index, result.term, ++this.eventCount)
    this.handleReady(leader.id, leader)
    return result.accepted
  }

  /** A client asks the leader for a linearizable read (of `key`, default `v`); returns whether it accepted. */
  read(context: string, key = 'v'): boolean {
    const leader = this.leader()
    if (!leader) return false
    this.invariants.readAsked(context)
    const result = leader.readIndex(context)
    if (!result.accepted) this.invariants.readRefused(context)
    else this.clients.getAsked(leader.id, key, context, ++this.eventCount)
    this.handleReady(leader.id, leader)
    return result.accepted
  }

  /** Asks the leader to hand leadership to `to`; returns whether it started the transfer. */
  transfer(to: string): boolean {
    const leader = this.leader()
    if (!leader) return false
    const started = leader.transferLeadership(to)
    this.handleReady(leader.id, leader)
    return started
  }

  /**
   * Asks the leader to add `id` as a voter, starting it first if it is down (a joining node starts with the
   * leader's voters and an empty log). Returns whether the leader accepted the change.
   */
  addVoter(id: string): boolean {
    const leader = this.leader()
    if (!leader || !this.ids.includes(id)) return false
    if (!this.nodes.get(id)) this.start(id, leader.voters)
    const result = leader.proposeMembership({ add: id })
    this.handleReady(leader.id, leader)
    return result.accepted
  }

  /** Asks the leader to remove the voter `id`; returns whether it accepted the change. */
  removeVoter(id: string): boolean {
    const leader = this.leader()
    if (!leader) return false
    const result = leader.proposeMembership({ remove: id })
    this.handleReady(leader.id, leader)
    return result.accepted
  }

  /** Reads confirmed so far. */
  get readsConfirmed(): number {
    return this.readCount
  }

  /** Stops a node: its memory and the messages in flight to it are gone; its durable state stays. */
  crash(id: string): void {
    const durable = this.durable.get(id)
    if (durable) durable.pendingHardState = undefined
    this.nodes.set(id, undefined)
    this.machines.set(id, new SimKvMachine())
    this.network.dropTo(id)
    this.clients.forget(id)
  }

  /** Starts a crashed node again from its durable state. */
  restart(id: string): void {
    if (this.nodes.get(id) === undefined) this.start(id)
  }

  private start(id: string, joining?: readonly string[]): void {
    const durable = this.durable.get(id)!
    const node = new RaftNode({
      ...this.raftOptions,
      id,
      peers: joining ?? this.initialVoters,
      // Each node draws from its own stream, split off the run's, so that a restart does not shift the others.
      random: seededRandom(Math.floor(this.random.next() * 0x1_0000_0000)),
      storage: { hardState: durable.hardState, entries: [...durable.entries], snapshot: durable.snapshot },
    })
    this.nodes.set(id, node)
    const machine = durable.snapshot ? SimKvMachine.restore(durable.snapshot.data) : new SimKvMachine()
    if (durable.snapshot) this.invariants.restored(id, durable.snapshot.index, machine.commands)
    this.machines.set(id, machine)
    this.handleReady(id, node)
  }

  private handleReady(id: string, node: RaftNode): void {
    // Bounded: each round drains what the node had; handling it cannot create more work on this node.
    for (let round = 0; round < 4 && node.hasReady(); round++) {
      const rd = node.ready()
      const crashAt = this.random.next() < this.crashInReadyRate ? this.random.next() : 1
      // As the host does: a leader's appends leave before its own write.
      for (const message of rd.messages)
        if (sendableBeforePersist(message)) this.network.send(message, this.tickCount)
      if (crashAt < 0.5) {
        this.crash(id)
        return
      }
      this.persist(id, rd)
      if (crashAt < 1) {
        this.crash(id)
        return
      }
      for (const message of rd.messages)
        if (!sendableBeforePersist(message)) this.network.send(message, this.tickCount)
      this.applyReady(id, node, rd)
      node.advance(rd)
    }
    this.maybeCompact(id, node)
    this.invariants.observe(viewOf(node))
  }

  private applyReady(id: string, node: RaftNode, rd: Ready): void {
    if (rd.snapshot) {
      const machine = SimKvMachine.restore(rd.snapshot.data)
      this.invariants.restored(id, rd.snapshot.index, machine.commands)
      this.machines.set(id, machine)
      this.snapshotCount++
    }
    const machine = this.machines.get(id)!
    if (rd.committedEntries.length > 0) {
      const leaders = this.leaderViews()
      for (const entry of rd.committedEntries) {
        this.invariants.applied(id, item(entry), node.currentTerm, leaders)
        machine.apply(entry)
        this.clients.applied(id, entry.index, entry.term, ++this.eventCount)
      }
    }
    for (const read of rd.readStates) {
      this.invariants.readConfirmed(id, read.context, read.index)
      this.clients.getConfirmed(id, read.context, read.index)
      this.readCount++
    }
    this.clients.serveReads(id, machine.appliedIndex, (key) => machine.values.get(key), ++this.eventCount)
    // Reads a deposed leader still holds are never confirmed: ReadIndex drops them with the leadership.
    if (node.role !== 'leader') this.clients.leadershipLost(id)
  }

  private maybeCompact(id: string, node: RaftNode): void {
    const machine = this.machines.get(id)!
    const snapshotIndex = node.snapshot?.index ?? 0
    if (machine.appliedIndex - snapshotIndex < this.compactEveryEntries) return
    const snapshot = node.compact(machine.appliedIndex, machine.snapshot())
    if (!snapshot) return
    const durable = this.durable.get(id)!
    durable.snapshot = snapshot
    durable.entries = durable.entries.filter((e) => e.index > snapshot.index)
  }

  private persist(id: string, rd: Ready): void {
    const durable = this.durable.get(id)!
    if (rd.snapshot) {
      durable.snapshot = rd.snapshot
      durable.entries = []
    }
    // As the host does: a hard state whose only change is the commit index waits for the next real write
    // (the commit index is volatile in Raft).
    if (rd.hardState) durable.pendingHardState = rd.hardState
    const termOrVote =
      rd.hardState !== undefined &&
      (rd.hardState.term !== durable.hardState.term || rd.hardState.vote !== durable.hardState.vote)
    if ((rd.snapshot || rd.entries.length > 0 || termOrVote) && durable.pendingHardState) {
      durable.hardState = durable.pendingHardState
      durable.pendingHardState = undefined
    }
    const first = rd.entries[0]
    if (!first) return
    const lastIndex = durable.entries.at(-1)?.index ?? durable.snapshot?.index ?? 0
    if (first.index > lastIndex + 1)
      throw new Error(`${id} persists index ${first.index} after ${lastIndex}: a gap`)
    durable.entries = durable.entries.filter((e) => e.index < first.index)
    for (const entry of rd.entries) {
      const prevTerm =
        durable.entries.at(-1)?.term ??
        (durable.snapshot?.index === entry.index - 1 ? durable.snapshot.term : 0)
      durable.entries.push(entry)
      this.invariants.persisted(id, item(entry), prevTerm)
    }
  }

  private views(): NodeView[] {
    const views: NodeView[] = []
    for (const node of this.nodes.values()) if (node) views.push(viewOf(node))
    return views
  }

  private leaderViews(): NodeView[] {
    return this.views().filter((v) => v.isLeader)
  }
}

function item(entry: Entry): LogItem {
  return { index: entry.index, term: entry.term, key: keyOf(entry) }
}

function viewOf(node: RaftNode): NodeView {
  return {
    id: node.id,
    isLeader: node.role === 'leader',
    term: node.currentTerm,
    compactedThrough: node.snapshot?.index ?? 0,
    termAt: (index) => node.termAt(index),
  }
}
