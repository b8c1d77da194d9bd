import { type Clock, type ManualClock, manualClock, seededRandom } from '@dwcp/core'
import { CrdtReplicator } from '../crdt-replicator.js'
import type { CrdtStore } from '../crdt-store.js'
import type { CrdtReplicatorOptions, SyncPeerTransport } from '../types.js'

type Listener = (from: string, bytes: Uint8Array) => void

/**
 * An in-memory network of {@link SyncPeerTransport}s on an injected clock: each message arrives after
 * `latencyMs`. A node can be isolated (every message to or from it is lost) or muted for rumors only, and
 * `tamper` can rewrite or drop messages in flight.
 */
export class MemorySyncNetwork {
  private readonly listeners = new Map<string, Listener>()
  private readonly isolated = new Set<string>()
  readonly stats = { sent: 0, delivered: 0, dropped: 0 }
  /** When set, rewrites (or drops, by returning undefined) each message in flight. */
  tamper: ((from: string, to: string, bytes: Uint8Array) => Uint8Array | undefined) | undefined

  constructor(
    private readonly clock: Clock,
    private readonly ids: readonly string[],
    private readonly latencyMs = 10,
  ) {}

  /** The transport of node `id`. */
  transport(id: string): SyncPeerTransport {
    return {
      send: (to, bytes) => this.send(id, to, bytes.slice()),
      onMessage: (listener) => {
        this.listeners.set(id, listener)
        return () => {
          if (this.listeners.get(id) === listener) this.listeners.delete(id)
        }
      },
      peers: () => this.ids.filter((peer) => peer !== id),
    }
  }

  /** Delivers `bytes` to `to` as if `from` had sent them (a hostile peer). */
  inject(from: string, to: string, bytes: Uint8Array): void {
    this.listeners.get(to)?.(from, bytes)
  }

  /** Cuts every link of `id`. */
  isolate(id: string): void {
    this.isolated.add(id)
  }

  /** Restores every link. */
  heal(): void {
    this.isolated.clear()
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    this.stats.sent++
    const tampered = this.tamper ? this.tamper(from, to, bytes) : bytes
    if (!tampered || this.isolated.has(from) || this.isolated.has(to)) {
      this.stats.dropped++
      return
    }
    this.clock.setTimeout(() => {
      const listener = this.listeners.get(to)
      if (!listener || this.isolated.has(from) || this.isolated.has(to)) {
        this.stats.dropped++
        return
      }
      this.stats.delivered++
      listener(from, tampered)
    }, this.latencyMs)
  }
}

/** A small cluster of CRDT replicas on one manual clock, for unit tests. */
export interface CrdtTestCluster {
  clock: ManualClock
  network: MemorySyncNetwork
  replicas: CrdtReplicator[]
  /** Creates (not starts) a replica `id` of this cluster with the given store and options. */
  create(id: string, store?: CrdtStore, options?: Partial<CrdtReplicatorOptions>): CrdtReplicator
}

/** Creates replicas `ids` (not started) sharing a manual clock and a {@link MemorySyncNetwork}. */
export function crdtTestCluster(
  ids: readonly string[],
  options: Partial<CrdtReplicatorOptions> = {},
  seed = 1,
): CrdtTestCluster {
  const clock = manualClock()
  const random = seededRandom(seed)
  const network = new MemorySyncNetwork(clock, ids)
  const create = (id: string, store?: CrdtStore, extra: Partial<CrdtReplicatorOptions> = {}) =>
    new CrdtReplicator({ id, transport: network.transport(id), clock, random, store, ...options, ...extra })
  return { clock, network, replicas: ids.map((id) => create(id)), create }
}
