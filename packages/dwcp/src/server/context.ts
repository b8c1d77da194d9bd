import type { PrometheusMetrics } from '@dwcp/metrics'
import type { DwcpConfig } from '../config/types.js'
import type { DwcpNode } from '../node.js'
import type { StopOptions } from '../node-options.js'
import type { JsonLogger } from './json-logger.js'
import type { PlacementIndex } from './rebalance-plan.js'
import type { ServerWorkloads } from './server-workloads.js'
import type { SessionPolicy } from './session-policy.js'
import type { Trainer } from './trainer.js'

/** What a drain moved before a shutdown. */
export interface DrainReport {
  moved: Array<{ workloadId: string; to: string; durationMs: number; downtimeMs: number }>
  failed: Array<{ workloadId: string; to: string; error: string }>
}

/** What the routes share: the node, its configuration and the server's own parts. */
export interface ServerContext {
  /** The running node. */
  readonly node: DwcpNode
  /** The current configuration (replaced by `config set`). */
  config: DwcpConfig
  /** Files the configuration came from; absent when given in memory (then `config set` is not persisted). */
  readonly configFiles: readonly string[] | undefined
  /** The server's logger. */
  readonly logger: JsonLogger
  /** The node's registry, for `/metrics` and compression statistics. */
  readonly metrics: PrometheusMetrics | undefined
  /** Version of the `dwcp` package. */
  readonly version: string
  /** When the server started, ms since the epoch. */
  readonly startedAtMs: number
  /** Workload placements from the replicated state. */
  readonly placements: PlacementIndex
  /** What the server applies to the node's sessions (tcp_streams, connections_max). */
  readonly sessions: SessionPolicy
  /** The workloads this node hosts (registered here or migrated here). */
  readonly workloads: ServerWorkloads
  /** Runs a model's training. */
  readonly trainer: Trainer
  /** Aborted when the server shuts down: long work (training) stops with it. */
  readonly stopSignal: AbortSignal
  /** Serialises operations that must not overlap (restore, shutdown, retrain). */
  exclusive<T>(name: string, operation: () => Promise<T>): Promise<T>
  /**
   * Stops the node and closes the API. With `drain`, first migrates every hosted workload to the other members
   * (least-loaded first, within `timeoutMs`) and resolves with what moved.
   */
  shutdown(options: StopOptions): Promise<DrainReport | undefined>
}
