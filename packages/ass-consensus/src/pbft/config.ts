import { InvalidArgumentError } from '@dwcp/core'
import type { PbftService } from './service.js'
import type { PbftSigner } from './signer.js'
import type { ClientRequest, ReplicaId } from './types.js'

/** Options of a {@link PbftReplica}. Time is counted in ticks; the host decides how long a tick is. */
export interface PbftConfig {
  /** This replica's index, 0 … n − 1. */
  id: ReplicaId
  /** Replicas in the group, n = 3f + 1 (other sizes tolerate ⌊(n − 1) / 3⌋ faults). @default 4 */
  n?: number
  /** Signs this replica's messages and verifies everyone else's. */
  signer: PbftSigner
  /** The service requests execute on. @default runningHashService() */
  service?: PbftService
  /** A checkpoint is taken every this many executed sequence numbers (K). @default 128 */
  checkpointIntervalSeqs?: number
  /** Width of the water-mark window (L): sequence numbers accepted are (h, h + L]. @default 2 × K */
  watermarkWindowSeqs?: number
  /** Most requests the primary puts in one pre-prepare. @default 64 */
  maxBatchRequests?: number
  /**
   * Ticks a backup waits for a pending request to execute before it starts a view change, and for a new view
   * to be installed after that; doubled on each successive view change without progress.
   * @default 40
   */
  viewChangeTimeoutTicks?: number
  /** The view-change timeout doubles at most this many times, so a long outage does not stall recovery. @default 4 */
  viewChangeBackoffMax?: number
  /** Ticks between retransmissions of messages that have not taken effect yet. @default 8 */
  resendTicks?: number
  /**
   * Checks a client request's signature (see `ClientRequest.signature`). Requests failing it are dropped, and
   * so is a pre-prepare carrying one. @default accept every request
   */
  authenticateRequest?: (request: ClientRequest) => boolean
  /** Most client requests waiting to be ordered (one per client); requests of further clients are dropped. @default 4096 */
  maxPendingRequests?: number
}

/** {@link PbftConfig} with defaults filled in and checked. */
export type ResolvedPbftConfig = Required<Omit<PbftConfig, 'service' | 'authenticateRequest'>> &
  Pick<PbftConfig, 'service' | 'authenticateRequest'>

/** Fills in defaults and rejects values outside their domain with core's `InvalidArgumentError`. */
export function resolvePbftConfig(config: PbftConfig): ResolvedPbftConfig {
  const k = config.checkpointIntervalSeqs ?? 128
  const resolved: ResolvedPbftConfig = {
    n: 4,
    checkpointIntervalSeqs: k,
    watermarkWindowSeqs: 2 * k,
    maxBatchRequests: 64,
    viewChangeTimeoutTicks: 40,
    viewChangeBackoffMax: 4,
    resendTicks: 8,
    maxPendingRequests: 4096,
    ...config,
  }
  for (const name of [
    'n',
    'checkpointIntervalSeqs',
    'watermarkWindowSeqs',
    'maxBatchRequests',
    'viewChangeTimeoutTicks',
    'resendTicks',
    'maxPendingRequests',
  ] as const) {
    const value = resolved[name]
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidArgumentError(name, `must be a positive integer, got ${String(value)}`)
  }
  if (resolved.n < 4)
    throw new InvalidArgumentError('n', `must be at least 4 (3f + 1 with f ≥ 1), got ${resolved.n}`)
  if (!Number.isInteger(resolved.id) || resolved.id < 0 || resolved.id >= resolved.n)
    throw new InvalidArgumentError('id', `must be an integer in 0..${resolved.n - 1}, got ${resolved.id}`)
  if (resolved.watermarkWindowSeqs < resolved.checkpointIntervalSeqs)
    throw new InvalidArgumentError('watermarkWindowSeqs', 'must be at least checkpointIntervalSeqs')
  if (!Number.isInteger(resolved.viewChangeBackoffMax) || resolved.viewChangeBackoffMax < 0)
    throw new InvalidArgumentError('viewChangeBackoffMax', 'must be a non-negative integer')
  return resolved
}
