import { type Clock, type Counter, isDwcpError, type Logger, type Random, type TimerHandle } from '@dwcp/core'
import * as Y from 'yjs'
import { encodeBoundedDiff } from './diff-split.js'
import { RumorBuffer } from './rumor-buffer.js'
import { SeenUpdates } from './seen-updates.js'
import { decodeSyncMessage, encodeSyncMessage, type RumoredUpdate, type SyncMessage } from './sync-codec.js'
import type { CrdtReplicatorStats, SyncPeerTransport } from './types.js'
import { HEADER_BYTES_MAX, type SyncWireLimits, UPDATE_OVERHEAD_BYTES_MAX } from './wire-limits.js'

/** What the {@link Gossip} engine needs from its replica. */
export interface GossipDeps {
  /** The replica's document: read for state vectors and diffs, never written here. */
  doc: Y.Doc
  /** Carries the messages. */
  transport: SyncPeerTransport
  /** Drives the rounds. */
  clock: Clock
  /** Picks peers and the rounds' phases. */
  random: Random
  /** Where dropped input and refused diffs are logged. */
  logger: Logger
  /** The replica's counters, updated in place. */
  stats: CrdtReplicatorStats
  /** Counts dropped messages and rejected updates under `dwcp_errors_total`. */
  errors: Counter | undefined
  /**
   * Applies received updates; `asRumors` when they came in a rumor batch (their origin times are kept), not
   * in an anti-entropy diff. Refused updates are counted by the replica, never thrown.
   */
  applyRemote(updates: RumoredUpdate[], asRumors: boolean): void
}

/** Timing and bounds of the {@link Gossip} engine (every default already filled in). */
export interface GossipSettings extends SyncWireLimits {
  /** Period of a rumor round. */
  intervalMs: number
  /** Peers each rumor round pushes to. */
  fanout: number
  /** Rounds each rumor is pushed in. */
  rumorRounds: number
  /** Most rumors held. */
  maxRumors: number
  /** Period of an anti-entropy exchange. */
  antiEntropyIntervalMs: number
}

/**
 * The dissemination side of a CRDT replica. Two mechanisms, each covering the other's weakness:
 *
 * - Rumor mongering, every `intervalMs`: the updates made or received since recently are pushed to `fanout`
 *   random peers, each for `rumorRounds` rounds. Fast (a write reaches most of the cluster in a few rounds),
 *   bounded (a write costs at most `fanout × rumorRounds` sends per replica that learns it), but not complete:
 *   a lost message or a partition can leave a replica without an update once its rumor retired.
 * - Anti-entropy, every `antiEntropyIntervalMs`: state vectors are exchanged with one random peer, and each side
 *   sends what the other lacks. Slow but complete: after a partition heals, every pair of replicas is
 *   eventually compared, whatever rumors were lost.
 *
 * Every received message is decoded under the wire limits; a message that does not decode, or an update Yjs
 * refuses, is counted and dropped: a hostile or broken peer must not crash the node.
 */
export class Gossip {
  private readonly rumors: RumorBuffer
  /** Fingerprints of recent rumors: repeats are dropped before Yjs (sized like the rumor buffer, ×4). */
  private readonly seen: SeenUpdates
  private roundTimer: TimerHandle | undefined
  private antiEntropyTimer: TimerHandle | undefined
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly deps: GossipDeps,
    private readonly settings: GossipSettings,
  ) {
    this.rumors = new RumorBuffer({
      rounds: settings.rumorRounds,
      maxRumors: settings.maxRumors,
      maxMessageBytes: settings.maxMessageBytes,
      maxUpdatesPerBatch: settings.maxUpdatesPerBatch,
    })
    this.seen = new SeenUpdates(settings.maxRumors * 4)
  }

  /** Rumors waiting to be pushed. */
  get pendingRumors(): number {
    return this.rumors.size
  }

  /** Starts listening and arms both timers, each at a random phase so replicas do not fire in lockstep. */
  start(): void {
    const { clock, random, transport } = this.deps
    this.unsubscribe = transport.onMessage((from, bytes) => this.receive(from, bytes))
    const round = () => {
      this.roundTimer = clock.setTimeout(round, this.settings.intervalMs)
      this.rumorRound()
    }
    const antiEntropy = () => {
      this.antiEntropyTimer = clock.setTimeout(antiEntropy, this.settings.antiEntropyIntervalMs)
      this.antiEntropyRound()
    }
    this.roundTimer = clock.setTimeout(round, random.next() * this.settings.intervalMs)
    this.antiEntropyTimer = clock.setTimeout(antiEntropy, random.next() * this.settings.antiEntropyIntervalMs)
  }

  /** Clears both timers and stops listening; pending rumors stay for the next start. */
  stop(): void {
    if (this.roundTimer) this.deps.clock.clearTimeout(this.roundTimer)
    if (this.antiEntropyTimer) this.deps.clock.clearTimeout(this.antiEntropyTimer)
    this.roundTimer = undefined
    this.antiEntropyTimer = undefined
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }

  /** Queues an update (local or newly applied) to be pushed in the next rounds. */
  spread(rumor: RumoredUpdate): void {
    this.seen.add(rumor.update)
    this.rumors.add(rumor)
    this.deps.stats.rumorsDropped = this.rumors.dropped
  }

  /** One rumor round: every live rumor to `fanout` random peers. */
  rumorRound(): void {
    if (this.rumors.size === 0) return
    const peers = this.pickPeers(this.settings.fanout)
    // Without peers the round is not spent: the rumors wait for a peer to appear.
    if (peers.length === 0) return
    for (const updates of this.rumors.round()) {
      const bytes = encodeSyncMessage({ type: 'updates', updates })
      for (const peer of peers) this.sendBytes(peer, bytes)
    }
  }

  /** One anti-entropy exchange: our state vector to one random peer, asking for its own back. */
  antiEntropyRound(): void {
    const [peer] = this.pickPeers(1)
    if (peer === undefined) return
    const stateVector = Y.encodeStateVector(this.deps.doc)
    this.send(peer, { type: 'stateVectorRequest', stateVector, reciprocate: true })
  }

  private receive(from: string, bytes: Uint8Array): void {
    const { stats, logger } = this.deps
    let message: SyncMessage
    try {
      message = decodeSyncMessage(bytes, this.settings)
    } catch (error) {
      stats.framesDropped++
      this.deps.errors?.inc({
        component: 'ass-crdt',
        code: isDwcpError(error) ? error.code : 'DWCP_ERR_FRAME_CORRUPT',
      })
      logger.warn({ peer: from, error }, 'dropped a gossip message that does not decode')
      return
    }
    stats.messagesReceived++
    switch (message.type) {
      case 'updates': {
        const fresh = message.updates.filter(({ update }) => this.seen.add(update))
        if (fresh.length > 0) this.deps.applyRemote(fresh, true)
        break
      }
      case 'diff':
        this.deps.applyRemote([{ update: message.update }], false)
        break
      case 'stateVectorRequest':
        this.answer(from, message.stateVector, message.reciprocate)
        break
    }
  }

  /** Sends `from` what it lacks, in parts within the message bound, and our own vector when asked. */
  private answer(from: string, stateVector: Uint8Array, reciprocate: boolean): void {
    const { doc, stats, logger } = this.deps
    const maxUpdateBytes = this.settings.maxMessageBytes - HEADER_BYTES_MAX - UPDATE_OVERHEAD_BYTES_MAX
    let diff: ReturnType<typeof encodeBoundedDiff>
    try {
      diff = encodeBoundedDiff(doc, stateVector, maxUpdateBytes)
    } catch (error) {
      // A state vector Yjs cannot read: the same treatment as a message that does not decode.
      stats.framesDropped++
      this.deps.errors?.inc({
        component: 'ass-crdt',
        code: isDwcpError(error) ? error.code : 'DWCP_ERR_FRAME_CORRUPT',
      })
      logger.warn({ peer: from, error }, 'dropped a state vector that does not decode')
      return
    }
    for (const update of diff.parts) this.send(from, { type: 'diff', update })
    if (diff.refusedClients.length > 0 || diff.deleteSetRefused) {
      stats.diffPartsRefused += diff.refusedClients.length + (diff.deleteSetRefused ? 1 : 0)
      logger.error(
        {
          peer: from,
          clients: diff.refusedClients,
          deleteSetRefused: diff.deleteSetRefused,
          maxMessageBytes: this.settings.maxMessageBytes,
        },
        'refused to send a diff part larger than the message bound: raise maxMessageBytes on every replica',
      )
    }
    if (reciprocate) {
      this.send(from, {
        type: 'stateVectorRequest',
        stateVector: Y.encodeStateVector(doc),
        reciprocate: false,
      })
    }
  }

  private send(peer: string, message: SyncMessage): void {
    this.sendBytes(peer, encodeSyncMessage(message))
  }

  private sendBytes(peer: string, bytes: Uint8Array): void {
    this.deps.stats.messagesSent++
    this.deps.stats.bytesSent += bytes.byteLength
    try {
      this.deps.transport.send(peer, bytes)
    } catch (error) {
      // Fire and forget: a transport that throws loses the message, which gossip tolerates.
      this.deps.logger.debug({ peer, error }, 'a gossip send failed')
    }
  }

  /** Up to `count` distinct peers drawn uniformly (a partial Fisher–Yates shuffle on the injected random). */
  private pickPeers(count: number): string[] {
    const peers = [...this.deps.transport.peers()]
    const picked = Math.min(count, peers.length)
    for (let i = 0; i < picked; i++) {
      const j = i + Math.floor(this.deps.random.next() * (peers.length - i))
      const swap = peers[i]!
      peers[i] = peers[j]!
      peers[j] = swap
    }
    return peers.slice(0, picked)
  }
}
