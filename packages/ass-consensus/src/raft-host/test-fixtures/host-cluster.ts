import { type ManualClock, type Metrics, manualClock, seededRandom } from '@dwcp/core'
import type { NodeId } from '../../raft/types.js'
import { RaftReplicator } from '../raft-replicator.js'
import type { RaftHostOptions } from '../types.js'
import { MemoryRaftNetwork } from './memory-network.js'
import { MemoryRaftStorage } from './memory-storage.js'

/** Options of a {@link HostCluster}. */
export interface HostClusterOptions {
  /** Seed of every random draw (election timeouts). */
  seed: number
  /** Host options shared by every node. */
  host?: Partial<Omit<RaftHostOptions, 'id' | 'peers' | 'storage' | 'transport' | 'clock' | 'random'>>
  /** Metrics given to every host. */
  metrics?: Metrics
  /** Storages write snapshots in this many steps (`beginCompaction`); unset, at once (`compact`). */
  compactionSteps?: number
}

/** Lets every promise chain that is ready run (a few levels of `await` deep); no timer is involved. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/**
 * Raft replicators on a manual clock and an in-memory network, for tests: time only moves in {@link run},
 * one millisecond at a time, so a run is a function of the seed. Storages outlive stops, so a host can be
 * restarted from what it persisted.
 */
export class HostCluster {
  readonly clock: ManualClock = manualClock()
  readonly network = new MemoryRaftNetwork(this.clock, 1)
  readonly storages = new Map<NodeId, MemoryRaftStorage>()
  private readonly hosts = new Map<NodeId, RaftReplicator | undefined>()
  private starts = 0

  constructor(
    readonly ids: readonly NodeId[],
    private readonly options: HostClusterOptions,
  ) {
    for (const id of ids) this.storages.set(id, this.newStorage())
  }

  /** Starts every host. */
  async startAll(): Promise<void> {
    for (const id of this.ids) await this.start(id)
  }

  /** Starts (or restarts) host `id` from its storage, with a fresh state machine. */
  async start(id: NodeId, peers: readonly NodeId[] = this.ids): Promise<RaftReplicator> {
    let storage = this.storages.get(id)
    if (!storage) {
      storage = this.newStorage()
      this.storages.set(id, storage)
    }
    const replicator = new RaftReplicator({
      ...this.options.host,
      id,
      peers,
      storage,
      transport: this.network.transport(id),
      clock: this.clock,
      // Each start draws its own stream so a restart does not replay the same election timeouts.
      random: seededRandom(this.options.seed * 1000 + this.starts++),
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
    })
    await replicator.start()
    this.hosts.set(id, replicator)
    return replicator
  }

  /** Stops host `id` (its storage stays). */
  async stop(id: NodeId): Promise<void> {
    await this.hosts.get(id)?.stop()
    this.hosts.set(id, undefined)
  }

  /** Stops every host. */
  async stopAll(): Promise<void> {
    for (const id of this.hosts.keys()) await this.stop(id)
  }

  /** The running host `id`; throws when it is stopped. */
  get(id: NodeId): RaftReplicator {
    const host = this.hosts.get(id)
    if (!host) throw new Error(`host ${id} is not running`)
    return host
  }

  /** Running hosts. */
  running(): RaftReplicator[] {
    return [...this.hosts.values()].filter((h): h is RaftReplicator => h !== undefined)
  }

  /** The running leader with the highest term, if any. */
  leader(): RaftReplicator | undefined {
    let best: RaftReplicator | undefined
    for (const h of this.running())
      if (h.host.role === 'leader' && (!best || h.host.term > best.host.term)) best = h
    return best
  }

  /** Running hosts that are not the leader. */
  followers(): RaftReplicator[] {
    const leader = this.leader()
    return this.running().filter((h) => h !== leader)
  }

  /** Moves time forward by `ms`, one millisecond at a time, letting promises settle in between. */
  async run(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.clock.advance(1)
      await flushMicrotasks()
    }
  }

  /** Runs until `predicate` holds; throws after `maxMs` of simulated time. */
  async until(predicate: () => boolean, maxMs = 5000, what = 'condition'): Promise<void> {
    for (let elapsed = 0; !predicate(); elapsed++) {
      if (elapsed >= maxMs)
        throw new Error(`${what} not reached within ${maxMs} ms (seed ${this.options.seed})`)
      this.clock.advance(1)
      await flushMicrotasks()
    }
  }

  /** Runs until `promise` settles; returns its value or throws its error. */
  async settle<T>(promise: Promise<T>, maxMs = 5000): Promise<T> {
    let done = false
    const tracked = promise.finally(() => {
      done = true
    })
    tracked.catch(() => {})
    await this.until(() => done, maxMs, 'settlement')
    return tracked
  }

  /** Runs until exactly one running host leads and every running host follows it; returns it. */
  async electLeader(maxMs = 5000): Promise<RaftReplicator> {
    await this.until(
      () => {
        const leader = this.leader()
        return leader !== undefined && this.running().every((h) => h.host.leader === leader.host.id)
      },
      maxMs,
      'a leader every host follows',
    )
    return this.leader()!
  }

  /** Runs until every running host applied through the leader's commit index. */
  async converge(maxMs = 5000): Promise<void> {
    await this.until(
      () => {
        const leader = this.leader()
        return (
          leader !== undefined && this.running().every((h) => h.host.appliedIndex === leader.host.commitIndex)
        )
      },
      maxMs,
      'convergence',
    )
  }

  private newStorage(): MemoryRaftStorage {
    const steps = this.options.compactionSteps
    return new MemoryRaftStorage(steps === undefined ? {} : { compactionSteps: steps })
  }
}
