import type { Clock, Logger, Metrics, Random } from '@dwcp/core'
import type { CrdtStore } from './crdt-store.js'

/**
 * How gossip messages travel between replicas. Deliberately small, like the Raft host's peer transport: a
 * composer backs it with transport sessions on channel `sync`, tests with an in-memory fake or the simulator.
 * Delivery may lose, duplicate or reorder messages: rumors are idempotent and anti-entropy repairs losses.
 */
export interface SyncPeerTransport {
  /** Sends an encoded message to a peer; fire and forget (nothing to await, no error for a lost message). */
  send(to: string, bytes: Uint8Array): void
  /** Calls `listener` for every message received; returns a function that removes it. */
  onMessage(listener: (from: string, bytes: Uint8Array) => void): () => void
  /** The replicas gossip may currently talk to, this one excluded. */
  peers(): string[]
}

/** A source of timestamps comparable across machines, for the sync-latency metric. */
export interface OriginClock {
  /** Milliseconds since an epoch every replica shares (e.g. the Unix epoch of an NTP-synced clock). */
  now(): number
}

/** Options of a {@link CrdtReplicator}. */
export interface CrdtReplicatorOptions {
  /** This replica's id (for logs). */
  id: string
  /** Carries gossip to and from the peers. */
  transport: SyncPeerTransport
  /** Time source for gossip rounds; a manual clock makes a cluster deterministic. */
  clock: Clock
  /** Randomness for peer choice, round jitter and the Yjs client id. */
  random: Random
  /**
   * Where updates persist. The replicator loads it on the first `start()` and writes to it, but never closes
   * it: the caller owns the store. @default an in-memory store (nothing survives the process)
   */
  store?: CrdtStore
  /** Period of a rumor round. @default 200 */
  intervalMs?: number
  /** Peers each rumor round pushes to. @default 3 */
  fanout?: number
  /** Rounds each update is pushed in before the rumor retires (anti-entropy covers the rest). @default 3 */
  rumorRounds?: number
  /** Most rumors waiting to be pushed; beyond it the oldest are dropped (anti-entropy repairs). @default 10000 */
  maxRumors?: number
  /** Period of an anti-entropy exchange with one random peer. @default 1000 */
  antiEntropyIntervalMs?: number
  /** Largest gossip message sent or accepted, in bytes. @default 1048576 (1 MiB) */
  maxMessageBytes?: number
  /** Most updates in one rumor batch, sent or accepted. @default 4096 */
  maxUpdatesPerBatch?: number
  /** Compact the store into one merged update once it holds more than this many updates. @default 1000 */
  compactAfterUpdates?: number
  /**
   * Timestamps written into rumors for the sync-latency metric; must share an epoch across replicas (a
   * monotonic clock since process start does not). @default the `clock` option (right in a simulation)
   */
  originClock?: OriginClock
  /** Where sync latency (`dwcp_ass_sync_latency_seconds`) and dropped messages are recorded. */
  metrics?: Metrics
  /** Where the replicator logs. @default silentLogger() */
  logger?: Logger
}

/** Counters a {@link CrdtReplicator} keeps, for tests, health details and the simulator's report. */
export interface CrdtReplicatorStats {
  /** Gossip messages sent (rumor batches, state-vector requests, diff parts). */
  messagesSent: number
  /** Bytes of the messages sent. */
  bytesSent: number
  /** Gossip messages received and decoded. */
  messagesReceived: number
  /** Received messages refused by the decoder (corrupt or too large). */
  framesDropped: number
  /** Received updates that Yjs refused to apply (malformed or hostile); the node keeps running. */
  updatesRejected: number
  /** Remote updates that changed this replica's state. */
  updatesApplied: number
  /** Rumors dropped because the buffer was full or one update alone exceeded the message bound. */
  rumorsDropped: number
  /** Anti-entropy diff parts not sent because one struct (one value) or the delete set exceeded the bound. */
  diffPartsRefused: number
}
