import {
  type Clock,
  type Histogram,
  type JsonValue,
  METRIC_NAMES,
  type Replicator,
  type StateChange,
} from '@dwcp/core'
import { encodeKvCommand, KvStateMachine } from './kv-state-machine.js'
import { RaftHost } from './raft-host.js'
import type { RaftHostOptions } from './types.js'

/** Options of a {@link RaftReplicator}: a host's, without the state machine (the replicator brings its own). */
export type RaftReplicatorOptions = Omit<RaftHostOptions, 'stateMachine'>

/** Labels of this replicator's sync latency series: the runbook splits sync latency by mechanism. */
const RAFT_SYNC_LABELS = Object.freeze({ mechanism: 'raft' })

/**
 * Linearizable replicated key/value state over Raft (datacenter mode). Writes go through the log as JSON
 * commands and resolve once applied on the leader; `get` first confirms leadership with a ReadIndex round
 * and waits for the local state to catch up, so it never returns a stale value. Both therefore run on the
 * leader and reject with `NotLeaderError` (naming the leader) elsewhere. `observe` fires on every node as
 * changes are applied.
 *
 * Each write that commits is timed into `dwcp_ass_sync_latency_seconds{mechanism="raft"}`: from the call until
 * the change is committed by a quorum and applied here, which is when a Raft write counts as replicated. The
 * host's `dwcp_consensus_latency_seconds` times every command of the log (consensus commands and membership
 * changes too); this histogram times state changes only, the population the runbook's sync latency is about.
 */
export class RaftReplicator implements Replicator {
  readonly consistency = 'linearizable' as const
  /** The Raft host underneath: its leader, role, indexes and membership. */
  readonly host: RaftHost
  private readonly state: KvStateMachine
  private readonly clock: Clock
  private readonly syncLatency: Histogram | undefined

  constructor(options: RaftReplicatorOptions) {
    const logger = options.logger
    this.state = new KvStateMachine((error) => logger?.warn({ error }, 'a state observer threw'))
    this.host = new RaftHost({ ...options, stateMachine: this.state })
    this.clock = options.clock
    this.syncLatency = options.metrics?.histogram(METRIC_NAMES.assSyncLatency)
  }

  /**
   * Starts the host: loads storage and rebuilds the map from the snapshot and the log. After a `stop()`, the
   * map is emptied first so the replay does not apply entries twice; observers hear the replayed changes.
   */
  start(options?: { signal?: AbortSignal }): Promise<void> {
    if (!this.host.running) this.state.clear()
    return this.host.start(options)
  }

  /** Stops the host; the storage stays open (its owner closes it). */
  stop(options?: { signal?: AbortSignal }): Promise<void> {
    return this.host.stop(options)
  }

  /** Reads `key` linearizably. */
  async get(key: string, options?: { signal?: AbortSignal }): Promise<JsonValue | undefined> {
    await this.host.read(options)
    return this.state.get(key)
  }

  /** Writes `key`; resolves once the write is committed and applied. */
  async set(key: string, value: JsonValue, options?: { signal?: AbortSignal }): Promise<void> {
    await this.replicate(encodeKvCommand({ op: 'set', key, value }), options)
  }

  /** Deletes `key`; resolves once the delete is committed and applied. */
  async delete(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    await this.replicate(encodeKvCommand({ op: 'delete', key }), options)
  }

  /** Calls `listener` for every applied change of a key starting with `prefix`. */
  observe(prefix: string, listener: (change: StateChange) => void): () => void {
    return this.state.observe(prefix, listener)
  }

  /**
   * Proposes a state change and times it until applied. A write that fails (not the leader, aborted, stopped)
   * is not timed: it was never replicated, and its time would say nothing about how long replication takes.
   */
  private async replicate(command: Uint8Array, options: { signal?: AbortSignal } | undefined): Promise<void> {
    const startedMs = this.clock.now()
    await this.host.propose(command, options)
    this.syncLatency?.observe((this.clock.now() - startedMs) / 1000, RAFT_SYNC_LABELS)
  }

  /** The local value of `key` without a read barrier: possibly stale, but free and available on followers. */
  peek(key: string): JsonValue | undefined {
    return this.state.get(key)
  }
}
