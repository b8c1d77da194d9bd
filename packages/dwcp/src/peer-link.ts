import type { PbftPeerTransport, RaftPeerTransport, SyncPeerTransport } from '@dwcp/ass-consensus'
import type { Clock, Logger, Session } from '@dwcp/core'

/** The AMST channel Raft messages travel on (DESIGN.md §3). */
export const RAFT_CHANNEL = 'raft'
/** The AMST channel CRDT gossip travels on. */
export const SYNC_CHANNEL = 'sync'
/** The AMST channel PBFT travels on. */
export const PBFT_CHANNEL = 'pbft'

/** Least time between two dials of one peer: protocols retry every tick or round, dials should not. */
const REDIAL_INTERVAL_MS = 250

/** What the link needs of a node: its sessions, a way to dial, and its message events. */
export interface LinkedNode {
  session(peer: string): Session | undefined
  connect(address: string): Promise<Session>
  on(event: 'message', listener: (peer: string, channel: string, bytes: Uint8Array) => void): () => void
}

/**
 * Carries one protocol's messages (Raft on `raft`, gossip on `sync`, PBFT on `pbft`) over the node's AMST sessions. Sending is
 * fire and forget, as these protocols expect of their network: with no open session to the peer the message is
 * dropped and the peer dialled (at most every 250 ms) at the address the member book holds; the protocol sends
 * again on its next heartbeat or round.
 */
export class ChannelPeerLink implements RaftPeerTransport, SyncPeerTransport, PbftPeerTransport {
  readonly #dialing = new Set<string>()
  readonly #lastDialMs = new Map<string, number>()

  /**
   * @param node - the node, once built (undefined before)
   * @param addresses - member id → address to dial; shared with the membership code, which keeps it current
   */
  constructor(
    private readonly channel: string,
    private readonly selfId: string,
    private readonly node: () => LinkedNode | undefined,
    private readonly addresses: ReadonlyMap<string, string>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Sends `bytes` to `to` if a session is open; otherwise drops them and dials. */
  send(to: string, bytes: Uint8Array): void {
    const node = this.node()
    if (!node) return
    const session = node.session(to)
    if (session) {
      // A closing session fails the send: the message is lost like any other, and Raft retransmits.
      session.send(this.channel, bytes).catch(() => {})
      return
    }
    this.#dial(node, to)
  }

  /** The members this node may talk to (every member in the book but itself), connected or not. */
  peers(): string[] {
    return [...this.addresses.keys()].filter((id) => id !== this.selfId)
  }

  /** Calls `listener` for every message a peer sends on the channel. */
  onMessage(listener: (from: string, bytes: Uint8Array) => void): () => void {
    const node = this.node()
    if (!node) throw new Error(`the ${this.channel} peer link has no node to listen on`)
    return node.on('message', (peer, channel, bytes) => {
      if (channel === this.channel) listener(peer, bytes)
    })
  }

  #dial(node: LinkedNode, to: string): void {
    const address = this.addresses.get(to)
    if (!address || this.#dialing.has(to)) return
    const nowMs = this.clock.now()
    if (nowMs - (this.#lastDialMs.get(to) ?? Number.NEGATIVE_INFINITY) < REDIAL_INTERVAL_MS) return
    this.#lastDialMs.set(to, nowMs)
    this.#dialing.add(to)
    node
      .connect(address)
      .catch((error: unknown) =>
        this.logger.debug({ peer: to, address, error: String(error) }, 'raft dial failed'),
      )
      .finally(() => this.#dialing.delete(to))
  }
}
