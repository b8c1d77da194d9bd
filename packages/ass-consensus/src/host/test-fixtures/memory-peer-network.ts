import type { Clock } from '@dwcp/core'

type Listener = (from: string, bytes: Uint8Array) => void

/** One node's side of a {@link MemoryPeerNetwork}: the shape every protocol host's peer transport has. */
export interface MemoryPeerTransport {
  send(to: string, bytes: Uint8Array): void
  onMessage(listener: Listener): () => void
  /** The other members (the ids the network was made with, or every node listening). */
  peers(): string[]
}

/**
 * Test support shared by the protocol hosts' tests: an in-memory network of peer transports on an injected
 * clock, each message arriving after `latencyMs` (a timer of the clock, so a manual clock makes delivery
 * deterministic). Messages to a node with no listener (stopped) or across a cut link are lost, as on a real
 * network; `tamper` rewrites or drops messages in flight and `inject` plays a hostile peer. Not exported.
 */
export class MemoryPeerNetwork {
  private readonly listeners = new Map<string, Listener>()
  private readonly isolated = new Set<string>()
  /** Counters for tests. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0 }
  /** When set, rewrites (or drops, by returning undefined) each message in flight: for corruption tests. */
  tamper: ((from: string, to: string, bytes: Uint8Array) => Uint8Array | undefined) | undefined

  /**
   * @param options.ids - the members `peers()` names; without it, every node with a listener
   */
  constructor(
    private readonly clock: Clock,
    private readonly options: { latencyMs: number; ids?: readonly string[] },
  ) {}

  /** The transport of node `id`. */
  transport(id: string): MemoryPeerTransport {
    return {
      send: (to, bytes) => this.send(id, to, bytes.slice()),
      onMessage: (listener) => {
        this.listeners.set(id, listener)
        return () => {
          if (this.listeners.get(id) === listener) this.listeners.delete(id)
        }
      },
      peers: () => (this.options.ids ?? [...this.listeners.keys()]).filter((peer) => peer !== id),
    }
  }

  /** Delivers `bytes` to `to` at once as if `from` had sent them (a hostile peer). */
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
    }, this.options.latencyMs)
  }
}
