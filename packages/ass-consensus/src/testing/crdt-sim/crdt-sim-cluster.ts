import type { JsonValue, ManualClock, Metrics, Random } from '@dwcp/core'
import { manualClock } from '@dwcp/core'
import { CrdtReplicator } from '../../crdt/crdt-replicator.js'
import type { CrdtReplicatorOptions, SyncPeerTransport } from '../../crdt/types.js'
import { type NetworkFaults, SimNetwork } from '../sim/network.js'

/** A gossip message in flight in the simulator. */
export interface SyncPacket {
  from: string
  to: string
  bytes: Uint8Array
}

/** Options of a {@link CrdtSimCluster}. */
export interface CrdtSimClusterOptions {
  /** Replica ids. */
  ids: readonly string[]
  /** The run's only source of randomness (network faults, gossip choices, Yjs client ids). */
  random: Random
  /** Simulated milliseconds per tick: the network's delay granularity. @default 10 */
  tickMs?: number
  /** Network faults, with delays in ticks. */
  faults?: Partial<NetworkFaults>
  /** Options shared by every replica (id, transport, clock and random are the cluster's). */
  replicator?: Partial<Omit<CrdtReplicatorOptions, 'id' | 'transport' | 'clock' | 'random'>>
  /** Where every replica records its metrics (sync latency). */
  metrics?: Metrics
}

/**
 * CRDT replicas over a {@link SimNetwork} and one {@link ManualClock}, driven a tick at a time: each tick moves
 * the clock by `tickMs` (firing the replicas' gossip timers, whose sends enter the network) and then delivers
 * the messages due. Every replica believes every other one is a peer: partitions are the network's, unknown to
 * the replicas, as on a real WAN.
 */
export class CrdtSimCluster {
  readonly clock: ManualClock
  readonly network: SimNetwork<SyncPacket>
  readonly replicas: CrdtReplicator[]
  readonly tickMs: number
  private readonly listeners = new Map<string, (from: string, bytes: Uint8Array) => void>()
  private tick = 0

  constructor(options: CrdtSimClusterOptions) {
    this.tickMs = options.tickMs ?? 10
    this.clock = manualClock()
    this.network = new SimNetwork<SyncPacket>(options.random, options.faults)
    this.replicas = options.ids.map(
      (id) =>
        new CrdtReplicator({
          ...options.replicator,
          id,
          transport: this.transport(id, options.ids),
          clock: this.clock,
          random: options.random,
          metrics: options.metrics,
        }),
    )
  }

  /** Simulated milliseconds since the start. */
  get nowMs(): number {
    return this.clock.now()
  }

  /** Starts every replica. */
  async start(): Promise<void> {
    for (const replica of this.replicas) await replica.start()
  }

  /** Stops every replica (clears their timers). */
  async stop(): Promise<void> {
    for (const replica of this.replicas) await replica.stop()
  }

  /** Moves one tick: timers first, then the messages due. */
  step(): void {
    this.tick++
    this.clock.advance(this.tickMs)
    for (const packet of this.network.deliver(this.tick))
      this.listeners.get(packet.to)?.(packet.from, packet.bytes)
  }

  /** Whether every replica holds the same state; returns it (as sorted JSON text) when they do. */
  agreedState(): string | undefined {
    const first = JSON.stringify(this.replicas[0]?.toJSON() ?? {})
    for (const replica of this.replicas) if (JSON.stringify(replica.toJSON()) !== first) return undefined
    return first
  }

  /** Number of replicas whose state differs from the first one's. */
  disagreeing(): number {
    const first = JSON.stringify(this.replicas[0]?.toJSON() ?? {})
    return this.replicas.filter((replica) => JSON.stringify(replica.toJSON()) !== first).length
  }

  /** The state of a replica as plain JSON. */
  stateOf(index: number): Record<string, JsonValue> {
    return this.replicas[index]?.toJSON() ?? {}
  }

  private transport(id: string, ids: readonly string[]): SyncPeerTransport {
    const peers = ids.filter((peer) => peer !== id)
    return {
      send: (to, bytes) => this.network.send({ from: id, to, bytes }, this.tick),
      onMessage: (listener) => {
        this.listeners.set(id, listener)
        return () => {
          if (this.listeners.get(id) === listener) this.listeners.delete(id)
        }
      },
      peers: () => peers,
    }
  }
}
