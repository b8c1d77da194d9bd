import {
  AlreadyStartedError,
  type Counter,
  type Histogram,
  InvalidArgumentError,
  type JsonValue,
  type Logger,
  METRIC_NAMES,
  NotStartedError,
  type Replicator,
  type StateChange,
  silentLogger,
  throwIfAborted,
} from '@dwcp/core'
import * as Y from 'yjs'
import { type CrdtStore, MemoryCrdtStore } from './crdt-store.js'
import { Gossip } from './gossip.js'
import { gossipSettings, positive } from './gossip-settings.js'
import { KeyObservers } from './key-observers.js'
import type { RumoredUpdate } from './sync-codec.js'
import type { CrdtReplicatorOptions, CrdtReplicatorStats, OriginClock } from './types.js'
import { HEADER_BYTES_MAX, UPDATE_OVERHEAD_BYTES_MAX } from './wire-limits.js'

/** Name of the Y.Map holding the replicated state: part of the persisted and wire format. */
export const CRDT_STATE_MAP = 'state'
/** Transaction origin of updates replayed from the store: neither persisted again nor rumored. */
const LOAD_ORIGIN = Symbol('load')
/** Transaction origin of this replica's own writes. */
const LOCAL_ORIGIN = Symbol('local')
/** Transaction origin of an update received from a peer. */
interface RemoteOrigin {
  rumor: RumoredUpdate
  /** Whether it came as a rumor (spread on with its origin time) or in an anti-entropy diff. */
  asRumors: boolean
}
const encoder = new TextEncoder()
/** Labels of this replicator's sync latency series. */
const CRDT_LABELS = Object.freeze({ mechanism: 'crdt' })

/**
 * Eventually consistent replicated key/value state (internet mode) on a Yjs document: one `Y.Map` from keys
 * to JSON values, spread by {@link Gossip} (rumor mongering plus anti-entropy) over a `SyncPeerTransport`.
 *
 * Writes apply locally at once and resolve once persisted in the store; reads are local and never block.
 * Concurrent writes to one key resolve as Yjs's `Y.Map` does, identically on every replica: a write that saw
 * another (it was made after the other arrived) wins over it; between writes that did not see each other, the
 * one made by the higher Yjs client id wins. Client ids are drawn at random when the replicator is created, so
 * that winner is arbitrary, not the later one by wall-clock time: callers needing "last writer wins by time"
 * must write values carrying their own timestamps, or use Raft. A delete is a write like any other.
 *
 * `observe` fires once per key changed by a transaction, for local writes, remote updates and the replay of
 * the store at start, and not for a remote write that lost to the current value.
 */
export class CrdtReplicator implements Replicator {
  readonly consistency = 'eventual' as const
  /** Counters of the gossip and of dropped input. */
  readonly stats: CrdtReplicatorStats = {
    messagesSent: 0,
    bytesSent: 0,
    messagesReceived: 0,
    framesDropped: 0,
    updatesRejected: 0,
    updatesApplied: 0,
    rumorsDropped: 0,
    diffPartsRefused: 0,
  }
  private readonly doc = new Y.Doc()
  private readonly map: Y.Map<JsonValue>
  private readonly store: CrdtStore
  private readonly gossip: Gossip
  private readonly observers: KeyObservers
  private readonly logger: Logger
  private readonly originClock: OriginClock
  private readonly latency: Histogram | undefined
  private readonly errors: Counter | undefined
  private readonly maxValueBytes: number
  private readonly compactAfterUpdates: number
  /** Updates made or applied but not yet appended to the store (appended after each transaction). */
  private unpersisted: Uint8Array[] = []
  private running = false
  private loaded = false

  constructor(private readonly options: CrdtReplicatorOptions) {
    this.logger = (options.logger ?? silentLogger()).child({ component: 'crdt-replicator', node: options.id })
    this.store = options.store ?? new MemoryCrdtStore()
    this.originClock = options.originClock ?? options.clock
    this.latency = options.metrics?.histogram(METRIC_NAMES.assSyncLatency)
    this.errors = options.metrics?.counter(METRIC_NAMES.errors)
    this.compactAfterUpdates = positive('compactAfterUpdates', options.compactAfterUpdates ?? 1000)
    const settings = gossipSettings(options)
    this.maxValueBytes = settings.maxMessageBytes - HEADER_BYTES_MAX - UPDATE_OVERHEAD_BYTES_MAX
    // The Yjs client id comes from the injected random (not Yjs's own), so a simulation replays exactly.
    this.doc.clientID = this.drawClientId()
    this.map = this.doc.getMap<JsonValue>(CRDT_STATE_MAP)
    this.observers = new KeyObservers((error) => this.logger.warn({ error }, 'a state observer threw'))
    this.map.observe((event) => {
      for (const key of event.changes.keys.keys()) this.observers.notify({ key, value: this.map.get(key) })
    })
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin))
    this.gossip = new Gossip(
      {
        doc: this.doc,
        transport: options.transport,
        clock: options.clock,
        random: options.random,
        logger: this.logger,
        stats: this.stats,
        errors: this.errors,
        applyRemote: (updates, asRumors) => this.applyRemote(updates, asRumors),
      },
      settings,
    )
  }

  /** The replica's id. */
  get id(): string {
    return this.options.id
  }

  /**
   * This replica's Yjs client id, drawn from the injected random: between concurrent writes to one key, the
   * write of the higher client id wins.
   */
  get clientId(): number {
    return this.doc.clientID
  }

  /** Whether gossip is running. */
  get started(): boolean {
    return this.running
  }

  /** Rumors waiting to be pushed (0 once the replica's recent updates have spread for their rounds). */
  get pendingRumors(): number {
    return this.gossip.pendingRumors
  }

  /**
   * Starts gossip. The first start replays the store into the document (observers hear the restored keys);
   * a later start after `stop()` keeps the in-memory state, which already holds everything stored.
   */
  async start(options?: { signal?: AbortSignal }): Promise<void> {
    throwIfAborted(options?.signal)
    if (this.running) throw new AlreadyStartedError(`crdt replicator ${this.id}`)
    if (!this.loaded) {
      const updates = this.store.load()
      // One transaction: observers hear each restored key once, with its final value.
      this.doc.transact(() => {
        for (const update of updates) Y.applyUpdate(this.doc, update, LOAD_ORIGIN)
      }, LOAD_ORIGIN)
      this.loaded = true
    }
    this.gossip.start()
    this.running = true
  }

  /** Stops gossip (timers and listener); the state stays readable and the store stays open (its owner closes it). */
  async stop(_options?: { signal?: AbortSignal }): Promise<void> {
    this.gossip.stop()
    this.running = false
  }

  /** Reads `key` from the local replica (possibly behind other replicas: eventual consistency). */
  async get(key: string, options?: { signal?: AbortSignal }): Promise<JsonValue | undefined> {
    throwIfAborted(options?.signal)
    return this.peek(key)
  }

  /** The local value of `key`, synchronously (a copy: mutating it does not change the state). */
  peek(key: string): JsonValue | undefined {
    const value = this.map.get(key)
    return value === undefined ? undefined : structuredClone(value)
  }

  /** The whole local state as a plain object with sorted keys: equal on replicas that converged. */
  toJSON(): Record<string, JsonValue> {
    const state = this.map.toJSON() as Record<string, JsonValue>
    return Object.fromEntries(
      Object.keys(state)
        .sort()
        .map((key) => [key, state[key]!]),
    )
  }

  /** The whole document as one Yjs update (what a new replica needs; also a backup of the state). */
  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc)
  }

  /** This replica's Yjs state vector (what it has seen of every writer). */
  stateVector(): Uint8Array {
    return Y.encodeStateVector(this.doc)
  }

  /**
   * Writes `key` locally; resolves once the update is in the store. It spreads with the next rumor rounds.
   *
   * @throws InvalidArgumentError when the key and value (as JSON) exceed what one gossip message can carry.
   * @throws NotStartedError before `start()` or after `stop()`.
   */
  async set(key: string, value: JsonValue, options?: { signal?: AbortSignal }): Promise<void> {
    throwIfAborted(options?.signal)
    this.ensureRunning()
    if (value === undefined) throw new InvalidArgumentError('value', 'must be a JSON value (use delete)')
    // Estimated from the JSON size, which bounds Yjs's encoding of the value up to a few bytes of framing per
    // item: an update that could never travel in one message is refused before it changes the state.
    const sizeBytes = encoder.encode(key).byteLength + encoder.encode(JSON.stringify(value)).byteLength + 64
    if (sizeBytes > this.maxValueBytes)
      throw new InvalidArgumentError(
        'value',
        `${sizeBytes} bytes exceed the message bound of ${this.maxValueBytes}`,
      )
    this.doc.transact(() => this.map.set(key, value), LOCAL_ORIGIN)
    this.persist()
  }

  /** Deletes `key` locally; resolves once the delete is in the store. A missing key is a no-op. */
  async delete(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    throwIfAborted(options?.signal)
    this.ensureRunning()
    if (!this.map.has(key)) return
    this.doc.transact(() => this.map.delete(key), LOCAL_ORIGIN)
    this.persist()
  }

  /** Calls `listener` for every change of a key starting with `prefix`; returns an unsubscribe function. */
  observe(prefix: string, listener: (change: StateChange) => void): () => void {
    return this.observers.add(prefix, listener)
  }

  /** Runs one rumor round now (tests and simulations; the timer does it every `intervalMs`). */
  rumorRound(): void {
    this.gossip.rumorRound()
  }

  /** Runs one anti-entropy exchange now (tests and simulations; the timer does it periodically). */
  antiEntropyRound(): void {
    this.gossip.antiEntropyRound()
  }

  /**
   * Applies received updates, each in its own Yjs transaction so that each update's effect (and origin time)
   * is known. Malformed bytes are counted and dropped, never thrown to the transport.
   */
  private applyRemote(updates: RumoredUpdate[], asRumors: boolean): void {
    for (const rumor of updates) {
      const origin: RemoteOrigin = { rumor, asRumors }
      const clientId = this.doc.clientID
      try {
        Y.applyUpdate(this.doc, rumor.update, origin)
      } catch (error) {
        // Yjs throws arbitrary errors (RangeError, TypeError, "Unexpected end of array") on malformed input.
        this.stats.updatesRejected++
        // dwcp_errors_total has the labels component and code only: Yjs refusing bytes is a corrupt frame.
        this.errors?.inc({ component: 'ass-crdt', code: 'DWCP_ERR_FRAME_CORRUPT' })
        this.logger.warn({ error }, 'dropped an update that Yjs refused')
      }
      // Yjs gives the document a new client id (from its own randomness) when a remote update writes under
      // ours, which only a forged or corrupted update does: draw the new id from the injected random instead,
      // so that a simulation still replays from its seed.
      if (this.doc.clientID !== clientId) {
        this.doc.clientID = this.drawClientId()
        this.logger.warn({ clientId }, "a received update wrote under this replica's client id")
      }
    }
    try {
      this.persist()
    } catch (error) {
      this.logger.error({ error }, 'could not persist a received update')
    }
  }

  /** Every update that changed the document: queue it for the store and the rumor rounds. */
  private onUpdate(update: Uint8Array, origin: unknown): void {
    if (origin === LOAD_ORIGIN) return
    this.unpersisted.push(update)
    if (origin === LOCAL_ORIGIN) {
      this.gossip.spread({ update, originTimeMs: Math.max(0, Math.floor(this.originClock.now())) })
      return
    }
    const { rumor, asRumors } = origin as RemoteOrigin
    this.stats.updatesApplied++
    // A rumor travels on with its origin's timestamp (end-to-end latency); a diff spreads only what changed.
    const originTimeMs = asRumors ? rumor.originTimeMs : undefined
    this.gossip.spread({ update, originTimeMs })
    if (originTimeMs === undefined) return
    const latencySeconds = (this.originClock.now() - originTimeMs) / 1000
    // A negative latency is clock skew between replicas, not a measurement: leave it out.
    // By mechanism, as the runbook defines it: the dashboard and the sync latency alert split on it.
    if (latencySeconds >= 0) this.latency?.observe(latencySeconds, CRDT_LABELS)
  }

  /** Appends queued updates to the store, compacting it into one merged update past the threshold. */
  private persist(): void {
    const pending = this.unpersisted
    this.unpersisted = []
    for (const update of pending) this.store.append(update)
    if (pending.length > 0 && this.store.updateCount > this.compactAfterUpdates)
      this.store.compact(Y.encodeStateAsUpdate(this.doc))
  }

  private drawClientId(): number {
    return Math.floor(this.options.random.next() * 0x1_0000_0000) >>> 0
  }

  private ensureRunning(): void {
    if (!this.running) throw new NotStartedError(`crdt replicator ${this.id}`)
  }
}
