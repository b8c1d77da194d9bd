import type { Clock, Logger, Metrics } from '@dwcp/core'
import type { PbftService } from '../pbft/service.js'
import type { PbftSigner } from '../pbft/signer.js'

/** Carries PBFT traffic between members (the composer backs it with AMST sessions on channel `pbft`). */
export interface PbftPeerTransport {
  /** Sends bytes to a member; fire and forget (PBFT retransmits what matters). */
  send(to: string, bytes: Uint8Array): void
  /** Calls `listener` for every message a member sends; returns a function that removes it. */
  onMessage(listener: (from: string, bytes: Uint8Array) => void): () => void
}

/** Options of a {@link PbftHost}. */
export interface PbftHostOptions {
  /** This member's id; it must be in `replicas`. */
  id: string
  /** Every replica's member id, in replica order (index = PBFT replica id); n = 3f + 1. */
  replicas: readonly string[]
  /** Signs this member's messages (as replica and as client) and verifies the others'. */
  signer: PbftSigner
  /** Carries messages to and from the other replicas. */
  transport: PbftPeerTransport
  /** Time source for ticks and batching. */
  clock: Clock
  /** The replicated service. @default a running hash of every request (ordering only) */
  service?: PbftService
  /** Length of one PBFT tick. @default 10 */
  tickMs?: number
  /** Ticks before a backup suspects the primary (the view-change timeout). @default 50 (500 ms) */
  viewChangeTimeoutTicks?: number
  /** Most requests in one pre-prepare (1 turns batching off). @default 64 */
  maxBatchRequests?: number
  /** Concurrent client requests this member may have in flight (one PBFT client each). @default 64 */
  clientConcurrency?: number
  /** Where commit latency and dropped messages are counted. */
  metrics?: Metrics
  /** Where the host logs. */
  logger?: Logger
}
