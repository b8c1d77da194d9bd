import type { StreamTunerOptions } from '@dwcp/amst'
import type {
  Clock,
  ComponentHealth,
  Consensus,
  IncomingTransfer,
  Logger,
  Metrics,
  ModeDetector,
  ModeTransition,
  PathTransition,
  PredictorFactory,
  Replicator,
  Session,
  Transport,
} from '@dwcp/core'
import type { NodeCodecs } from './node-codecs.js'

/** Events of a {@link DwcpNode}. */
export interface DwcpNodeEvents {
  /** The node's mode changed. */
  mode: [transition: ModeTransition]
  /** The mode detector (re)classified the path to one peer (in hybrid mode its settings follow). */
  path: [transition: PathTransition]
  /** A session opened (dialled or accepted). */
  session: [session: Session]
  /** A message arrived from `peer` on `channel`. */
  message: [peer: string, channel: string, bytes: Uint8Array]
  /**
   * A peer offers a bulk transfer. Accept or reject it from the listener (accepting may take its time to
   * finish); with no listener the offer is rejected.
   */
  transfer: [peer: string, incoming: IncomingTransfer]
}

/** The parts a node is composed of (built by `createNode`). */
export interface NodeParts {
  nodeId: string
  clusterId: string
  listen: string[]
  transport: Transport
  /** The codecs of bulk bytes: per path class, and the decoder of what peers send. */
  codecs: NodeCodecs
  predictorFactory: PredictorFactory
  predictorHealth: ComponentHealth
  replicator: Replicator | undefined
  consensus: Consensus | undefined
  /** Ids of the cluster's members now, when the node belongs to a cluster; peers outside it are refused work. */
  members?: (() => string[]) | undefined
  /** Health of `state.db`, when the node keeps one. */
  storageHealth?: (() => ComponentHealth) | undefined
  /** Consensus facts for health (role, term, leader, indexes), when the node runs one. */
  consensusDetails?: (() => Record<string, unknown>) | undefined
  metrics: Metrics | undefined
  metricsHealth: ComponentHealth
  logger: Logger
  clock: Clock
  detector: ModeDetector
  sampleIntervalMs: number
  /** Whether internet paths are paced (`transport.pacing`); false leaves pacing to TCP. */
  pacing: boolean
  /** Tunes each network session's stream count from goodput; false leaves counts as set. */
  streamTuning: StreamTunerOptions | false
}
