import type { Clock, Logger, Metrics, Random } from '@dwcp/core'
import type { NodeId } from '../raft/types.js'
import type { RaftWireLimits } from '../raft-wire/wire-limits.js'
import type { RaftStorage } from '../storage/raft-storage.js'

/**
 * The replicated application a {@link RaftHost} drives. Every node applies the same commands in the same
 * order, so `apply` must be deterministic: same state and same command, same new state and result. The state
 * machine is not durable: it must be in its initial state when the host starts, which restores the latest
 * snapshot into it and then applies the committed entries after it again.
 */
export interface RaftStateMachine {
  /**
   * Applies one committed command at log `index`; what it returns becomes the proposer's result. It must not
   * throw for a malformed command (every node would throw at the same entry, forever): treat it as a no-op.
   */
  apply(data: Uint8Array, index: number): Uint8Array | undefined
  /** Serializes the whole state, for a snapshot that replaces the log up to the last applied index. */
  snapshot(): Uint8Array
  /**
   * Optional: serializes the state as of this call in steps, so a large state does not hold the event loop.
   * The host calls the returned function, a few milliseconds' worth per turn, until it returns the bytes (the
   * same bytes {@link snapshot} would have returned at the time of this call); commands applied meanwhile must
   * not change them. Without it the host calls {@link snapshot} at once.
   */
  beginSnapshot?(): () => Uint8Array | undefined
  /** Replaces the whole state with one produced by {@link RaftStateMachine.snapshot} (on any node). */
  restore(data: Uint8Array): void
}

/**
 * How Raft messages travel between hosts. Deliberately small: a composer backs it with transport sessions on
 * channel `raft`, tests with an in-memory fake. Delivery may lose, duplicate or reorder messages; Raft copes.
 */
export interface RaftPeerTransport {
  /** Sends an encoded message to a peer; fire and forget (nothing to await, no error for a lost message). */
  send(to: NodeId, bytes: Uint8Array): void
  /** Calls `listener` for every message received; returns a function that removes it. */
  onMessage(listener: (from: NodeId, bytes: Uint8Array) => void): () => void
}

/** Options of a {@link RaftHost}. */
export interface RaftHostOptions {
  /** This node's id. */
  id: NodeId
  /** Every voting member at bootstrap, this node included (later changes come from the log). */
  peers: readonly NodeId[]
  /**
   * Durable Raft state. The host loads it on `start()` and writes to it, but never closes it: the caller owns
   * the store and closes it after `stop()`.
   */
  storage: RaftStorage
  /** Carries messages to and from the peers. */
  transport: RaftPeerTransport
  /** The application state replicated through the log. */
  stateMachine: RaftStateMachine
  /** Time source for ticks and for batching ready work; a manual clock makes a cluster deterministic. */
  clock: Clock
  /** Randomness for election timeouts. */
  random: Random
  /** Length of one Raft tick. @default 15 */
  tickMs?: number
  /** Ticks without a leader before campaigning (drawn from [n, 2n)). @default 10 (150 ms with 15 ms ticks) */
  electionTicks?: number
  /** Ticks between a leader's heartbeats. @default 1 */
  heartbeatTicks?: number
  /** Most entries in one append message; must not exceed the receivers' `wireLimits.maxEntries`. @default 64 */
  maxEntriesPerMessage?: number
  /** Take a snapshot (and compact the log) once this many entries were applied since the last one. @default 100000 (etcd's snapshot count) */
  snapshotEveryEntries?: number
  /** Most proposals (and membership changes) awaiting their apply; more reject with `QueueFullError`. @default 10000 */
  maxPendingProposals?: number
  /** Most reads awaiting confirmation or apply; more reject with `QueueFullError`. @default 1024 */
  maxPendingReads?: number
  /** Bounds on received messages. @default DEFAULT_RAFT_WIRE_LIMITS */
  wireLimits?: Partial<RaftWireLimits>
  /** Where commit latency and dropped messages are counted. */
  metrics?: Metrics
  /** Where the host logs. @default silentLogger() */
  logger?: Logger
}

/** What a proposal resolves with once its entry is applied. */
export interface ProposeOutcome {
  /** The log index the command was committed at. */
  index: number
  /** What the state machine returned when applying it. */
  result: Uint8Array | undefined
}
