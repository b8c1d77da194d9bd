import type { Clock } from '@dwcp/core'
import type { NodeId } from '../../raft/types.js'
import type { RaftPeerTransport } from '../types.js'

type Listener = (from: NodeId, bytes: Uint8Array) => void

/**
 * An in-memory network of {@link RaftPeerTransport}s on an injected clock: each message arrives after
 * `latencyMs` (a timer of the clock, so a manual clock makes delivery deterministic). Messages to a node
 * with no listener (stopped) or across a cut link are lost, as on a real network.
 */
export class MemoryRaftNetwork {
  private readonly listeners = new Map<NodeId, Listener>()
  private readonly isolated = new Set<NodeId>()
  /** Counters for tests. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0 }
  /** When set, rewrites (or drops, by returning undefined) each message in flight: for corruption tests. */
  tamper: ((from: NodeId, to: NodeId, bytes: Uint8Array) => Uint8Array | undefined) | undefined

  constructor(
    private readonly clock: Clock,
    private readonly latencyMs = 1,
  ) {}

  /** The transport of node `id`. */
  transport(id: NodeId): RaftPeerTransport {
    return {
      send: (to, bytes) => this.send(id, to, bytes.slice()),
      onMessage: (listener) => {
        this.listeners.set(id, listener)
        return () => {
          if (this.listeners.get(id) === listener) this.listeners.delete(id)
        }
      },
    }
  }

  /** Cuts every link of `id`. */
  isolate(id: NodeId): void {
    this.isolated.add(id)
  }

  /** Restores every link. */
  heal(): void {
    this.isolated.clear()
  }

  private send(from: NodeId, to: NodeId, bytes: Uint8Array): void {
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
