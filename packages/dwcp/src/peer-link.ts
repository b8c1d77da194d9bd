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
/** Most messages held for one peer while it is being dialled; older ones are dropped first. */
const MAX_HELD_MESSAGES = 256
/** Most bytes held for one peer while it is being dialled (a Raft snapshot may be large: it is sent again). */
const MAX_HELD_BYTES = 4 * 2 ** 20

/** What the link needs of a node: its sessions, a way to dial, and its message events. */
export interface LinkedNode {
  session(peer: string): Session | undefined
  connect(address: string): Promise<Session>
  on(event: 'message', listener: (peer: string, channel: string, bytes: Uint8Array) => void): () => void
}

/**
 * Carries one protocol's messages (Raft on `raft`, gossip on `sync`, PBFT on `pbft`) over the node's AMST
 * sessions. Sending is fire and forget, as these protocols expect of their network. With no open session to the
 * peer, the peer is dialled (at most every 250 ms) at the address the member book holds, and the messages sent
 * meanwhile are held (up to 256 messages and 4 MiB, the newest kept) and delivered in order once the dial
 * succeeds. Holding matters for elections: two followers usually have no session between them, and a vote
 * request dropped while the first dial is under way would make the candidate wait a whole election timeout.
 * When the dial fails, or the peer is not to be dialled yet, messages are dropped; the protocol sends again on
 * its next heartbeat or round.
 */
export class ChannelPeerLink implements RaftPeerTransport, SyncPeerTransport, PbftPeerTransport {
  /** Peers being dialled, with the messages held for them meanwhile. */
  readonly #dialing = new Map<string, HeldMessages>()
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
      this.#sendOn(session, bytes)
      return
    }
    const held = this.#dialing.get(to) ?? this.#dial(node, to)
    held?.add(bytes)
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

  #sendOn(session: Session, bytes: Uint8Array): void {
    // A closing session fails the send: the message is lost like any other, and the protocol retransmits.
    session.send(this.channel, bytes).catch(() => {})
  }

  /** Starts dialling `to` unless it was dialled too recently; returns where to hold messages meanwhile. */
  #dial(node: LinkedNode, to: string): HeldMessages | undefined {
    const address = this.addresses.get(to)
    if (!address) return undefined
    const nowMs = this.clock.now()
    if (nowMs - (this.#lastDialMs.get(to) ?? Number.NEGATIVE_INFINITY) < REDIAL_INTERVAL_MS) return undefined
    this.#lastDialMs.set(to, nowMs)
    const held = new HeldMessages()
    this.#dialing.set(to, held)
    node.connect(address).then(
      () => {
        this.#dialing.delete(to)
        // The dialled session, or one the peer opened meanwhile: either reaches it.
        const session = this.node()?.session(to)
        if (session) for (const bytes of held.take()) this.#sendOn(session, bytes)
      },
      (error: unknown) => {
        this.#dialing.delete(to)
        this.logger.debug(
          { peer: to, address, channel: this.channel, dropped: held.take().length, error: String(error) },
          'peer dial failed',
        )
      },
    )
    return held
  }
}

/** Messages waiting for a dial, bounded in count and bytes: the oldest give way. */
class HeldMessages {
  #messages: Uint8Array[] = []
  #bytes = 0

  add(bytes: Uint8Array): void {
    this.#messages.push(bytes)
    this.#bytes += bytes.byteLength
    while (
      this.#messages.length > 0 &&
      (this.#messages.length > MAX_HELD_MESSAGES || this.#bytes > MAX_HELD_BYTES)
    ) {
      this.#bytes -= this.#messages.shift()!.byteLength
    }
  }

  /** Every held message, oldest first; the holder is empty afterwards. */
  take(): Uint8Array[] {
    const messages = this.#messages
    this.#messages = []
    this.#bytes = 0
    return messages
  }
}
