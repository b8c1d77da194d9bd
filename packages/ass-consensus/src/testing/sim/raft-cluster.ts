import { type Random, seededRandom } from '@dwcp/core'
import type { RaftConfig } from '../../raft/config.js'
import { RaftNode } from '../../raft/raft-node.js'
import type { Entry, HardState, Message } from '../../raft/types.js'
import { LogInvariants, type LogItem, type NodeView } from './log-invariants.js'
import { type NetworkFaults, SimNetwork } from './network.js'

/** Options of a {@link RaftCluster}. */
export interface RaftClusterOptions {
  /** Node ids. */
  ids: readonly string[]
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
  /** Raft options shared by every node (ids, peers, random and storage are the cluster's). */
  raft?: Omit<RaftConfig, 'id' | 'peers' | 'random' | 'storage'>
}

/** What survives a crash: exactly what `ready()` asked to persist. */
interface Durable {
  hardState: HardState
  entries: Entry[]
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** The content key of an entry: the proposed value, or `noop` for a leader's empty entry. */
function keyOf(entry: Entry): string {
  return entry.data === undefined ? 'noop' : decoder.decode(entry.data)
}

/**
 * A deterministic Raft cluster: N {@link RaftNode}s over a {@link SimNetwork}, driven one tick at a time.
 * Every `ready()` is handled at once (persist, send, apply), crash loses everything not persisted, restart
 * rebuilds a node from its durable state, and {@link LogInvariants} are checked after every step of every
 * node, throwing `InvariantViolationError` on the first breach.
 */
export class RaftCluster {
  readonly network: SimNetwork<Message>
  readonly invariants = new LogInvariants()
  private readonly ids: readonly string[]
  private readonly random: Random
  private readonly raftOptions: RaftClusterOptions['raft']
  private readonly nodes = new Map<string, RaftNode | undefined>()
  private readonly durable = new Map<string, Durable>()
  /** Each node's state machine: the values it applied, in order. Lost on a crash, rebuilt by replay. */
  private readonly machines = new Map<string, string[]>()
  private tickCount = 0
  private readCount = 0
  private crashInReadyRate: number

  constructor(options: RaftClusterOptions) {
    this.ids = options.ids
    this.random = options.random
    this.raftOptions = options.raft
    this.crashInReadyRate = options.crashInReadyRate ?? 0
    this.network = new SimNetwork<Message>(options.random, options.faults)
    for (const id of this.ids) {
      this.durable.set(id, { hardState: { term: 0, vote: undefined, commit: 0 }, entries: [] })
      this.start(id)
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

  /** The live node with this id, if it is up. */
  node(id: string): RaftNode | undefined {
    return this.nodes.get(id)
  }

  /** Ids of nodes that are up. */
  liveIds(): string[] {
    return this.ids.filter((id) => this.nodes.get(id) !== undefined)
  }

  /** Ids of nodes that are down. */
  crashedIds(): string[] {
    return this.ids.filter((id) => this.nodes.get(id) === undefined)
  }

  /** Values applied by the node's state machine since it last started. */
  appliedValues(id: string): readonly string[] {
    return this.machines.get(id) ?? []
  }

  /** One line per node (role, term, last index, commit, applied values): for failure messages. */
  describe(): string {
    return this.ids
      .map((id) => {
        const node = this.nodes.get(id)
        if (!node) return `${id}: down`
        return `${id}: ${node.role} term ${node.currentTerm} last ${node.lastIndex} commit ${node.commitIndex} applied ${this.appliedValues(id).length}`
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

  /** A client proposes `value` to the leader; returns whether a leader accepted it (not that it committed). */
  propose(value: string): boolean {
    const leader = this.leader()
    if (!leader) return false
    const result = leader.propose(encoder.encode(value))
    this.handleReady(leader.id, leader)
    return result.accepted
  }

  /** A client asks the leader for a linearizable read; returns whether a leader accepted it. */
  read(context: string): boolean {
    const leader = this.leader()
    if (!leader) return false
    this.invariants.readAsked(context)
    const result = leader.readIndex(context)
    if (!result.accepted) this.invariants.readRefused(context)
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

  /** Reads confirmed so far. */
  get readsConfirmed(): number {
    return this.readCount
  }

  /** Stops a node: its memory and the messages in flight to it are gone; its durable state stays. */
  crash(id: string): void {
    this.nodes.set(id, undefined)
    this.machines.set(id, [])
    this.network.dropTo(id)
  }

  /** Starts a crashed node again from its durable state. */
  restart(id: string): void {
    if (this.nodes.get(id) === undefined) this.start(id)
  }

  private start(id: string): void {
    const durable = this.durable.get(id)!
    const node = new RaftNode({
      ...this.raftOptions,
      id,
      peers: this.ids,
      // Each node draws from its own stream, split off the run's, so that a restart does not shift the others.
      random: seededRandom(Math.floor(this.random.next() * 0x1_0000_0000)),
      storage: { hardState: durable.hardState, entries: [...durable.entries] },
    })
    this.nodes.set(id, node)
    this.machines.set(id, [])
    this.handleReady(id, node)
  }

  private handleReady(id: string, node: RaftNode): void {
    // Bounded: each round drains what the node had; handling it cannot create more work on this node.
    for (let round = 0; round < 4 && node.hasReady(); round++) {
      const rd = node.ready()
      const crashAt = this.random.next() < this.crashInReadyRate ? this.random.next() : 1
      if (crashAt < 0.5) {
        this.crash(id)
        return
      }
      this.persist(id, rd.hardState, rd.entries)
      if (crashAt < 1) {
        this.crash(id)
        return
      }
      for (const message of rd.messages) this.network.send(message, this.tickCount)
      if (rd.committedEntries.length > 0) {
        const leaders = this.leaderViews()
        const machine = this.machines.get(id)!
        for (const entry of rd.committedEntries) {
          this.invariants.applied(id, item(entry), node.currentTerm, leaders)
          if (entry.data !== undefined) machine.push(keyOf(entry))
        }
      }
      for (const read of rd.readStates) {
        this.invariants.readConfirmed(id, read.context, read.index)
        this.readCount++
      }
      node.advance(rd)
    }
    this.invariants.observe(viewOf(node))
  }

  private persist(id: string, hardState: HardState | undefined, entries: readonly Entry[]): void {
    const durable = this.durable.get(id)!
    if (hardState) durable.hardState = hardState
    const first = entries[0]
    if (!first) return
    if (first.index > durable.entries.length + 1)
      throw new Error(`${id} persists index ${first.index} after ${durable.entries.length}: a gap`)
    durable.entries.length = first.index - 1
    for (const entry of entries) {
      const prevTerm = durable.entries.at(-1)?.term ?? 0
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
  return { index: entry.index, term: entry.term, key: `${keyOf(entry)}` }
}

function viewOf(node: RaftNode): NodeView {
  return {
    id: node.id,
    isLeader: node.role === 'leader',
    term: node.currentTerm,
    termAt: (index) => node.termAt(index),
  }
}
