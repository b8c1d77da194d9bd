import type { JsonValue, Replicator, StateChange } from '@dwcp/core'
import { encodeKvCommand, KvStateMachine } from './kv-state-machine.js'
import { RaftHost } from './raft-host.js'
import type { RaftHostOptions } from './types.js'

/** Options of a {@link RaftReplicator}: a host's, without the state machine (the replicator brings its own). */
export type RaftReplicatorOptions = Omit<RaftHostOptions, 'stateMachine'>

/**
 * Linearizable replicated key/value state over Raft (datacenter mode). Writes go through the log as JSON
 * commands and resolve once applied on the leader; `get` first confirms leadership with a ReadIndex round
 * and waits for the local state to catch up, so it never returns a stale value. Both therefore run on the
 * leader and reject with `NotLeaderError` (naming the leader) elsewhere. `observe` fires on every node as
 * changes are applied.
 */
export class RaftReplicator implements Replicator {
  readonly consistency = 'linearizable' as const
  /** The Raft host underneath: its leader, role, indexes and membership. */
  readonly host: RaftHost
  private readonly state: KvStateMachine

  constructor(options: RaftReplicatorOptions) {
    const logger = options.logger
    this.state = new KvStateMachine((error) => logger?.warn({ error }, 'a state observer threw'))
    this.host = new RaftHost({ ...options, stateMachine: this.state })
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
    await this.host.propose(encodeKvCommand({ op: 'set', key, value }), options)
  }

  /** Deletes `key`; resolves once the delete is committed and applied. */
  async delete(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    await this.host.propose(encodeKvCommand({ op: 'delete', key }), options)
  }

  /** Calls `listener` for every applied change of a key starting with `prefix`. */
  observe(prefix: string, listener: (change: StateChange) => void): () => void {
    return this.state.observe(prefix, listener)
  }

  /** The local value of `key` without a read barrier: possibly stale, but free and available on followers. */
  peek(key: string): JsonValue | undefined {
    return this.state.get(key)
  }
}
