import type { TlsConfig } from '@dwcp/amst'
import type {
  Clock,
  CodecFactory,
  Consensus,
  Logger,
  Metrics,
  ModeDetectorOptions,
  PredictorFactory,
  Random,
  Replicator,
  TransportFactory,
} from '@dwcp/core'
import type { NodeTuning } from './mode-defaults.js'
import type { ClusterOptions } from './raft/cluster-options.js'

/** Options of `createNode`. Every part is replaceable; what is left out takes the mode's default. */
export interface NodeOptions {
  /** This node's id within its cluster. @default a random UUID */
  nodeId?: string
  /** The cluster this node belongs to; sessions with other clusters are refused. @default 'default' */
  clusterId?: string
  /**
   * Addresses to listen on (`memory://name`, `tcp://host:port`, `ucx://host:port`). @default
   * [`memory://<nodeId>`]
   */
  listen?: string[]
  /**
   * Transport factory. @default chosen by the listen addresses' scheme: `memory://` → in-memory, `tcp://` → TCP
   * (TLS per `tls`), `ucx://` → UCX with TCP as the fallback when the native addon is unavailable
   */
  transport?: TransportFactory
  /**
   * TLS 1.3 with mutual authentication for `tcp://`/`ucx://` listen addresses, or `false` for plaintext, which
   * must be asked for explicitly. @default none: a network transport without it is a configuration error
   */
  tls?: TlsConfig | false
  /**
   * Overrides of the mode's defaults: streams, congestion control and pacing; the codec's algorithm, zstd level
   * and per-chunk choice; the prediction model (the config file's `transport`, `compression` and `prediction`
   * keys). @default the mode's
   */
  tuning?: NodeTuning
  /**
   * Codec factory, replacing the mode's: it encodes and decodes every chunk. @default the mode's codec: lz4
   * (datacenter), adaptive up to zstd-max (internet), per path class (hybrid); zero chunks as headers
   */
  codec?: CodecFactory
  /** Predictor factory, one predictor per peer. @default the mode's ONNX model (harmonic mean until its history is full) */
  predictor?: PredictorFactory
  /**
   * The cluster this node keeps state with, in `state.db` under `cluster.dataDir`. In datacenter and hybrid mode:
   * Raft over AMST channel `raft`, serving `node.state` (linearizable key/value) and `node.consensus`. In
   * internet mode: a CRDT (Yjs) spread by gossip over channel `sync`, serving `node.state` (eventual).
   * @default none: no replicated state, no consensus
   */
  cluster?: ClusterOptions
  /** Replicated state, replacing the cluster's. @default the cluster's, else none (`node.state` throws DWCP_ERR_COMPONENT_ABSENT) */
  replicator?: Replicator
  /** Consensus, replacing the cluster's. @default the cluster's, else none (`node.propose` throws DWCP_ERR_COMPONENT_ABSENT) */
  consensus?: Consensus
  /** Metrics registry; `false` records none. @default a fresh Prometheus registry from @dwcp/metrics */
  metrics?: Metrics | false
  /** Structured logger. @default silent */
  logger?: Logger
  /** Time source. @default the system clock */
  clock?: Clock
  /** Randomness (loss emulation, jitter). @default Math.random */
  random?: Random
  /** Mode detector tuning (thresholds, hysteresis, dwell). */
  modeDetection?: ModeDetectorOptions
  /** Interval at which every session's path is sampled into the detector and predictors. @default 1000 */
  sampleIntervalMs?: number
  /**
   * Tuning of each TCP session's stream count from measured goodput (`StreamTuner`), or `false` to keep the count
   * the transport opened. @default { maxStreams: twice the mode's stream count }
   */
  streamTuning?: import('@dwcp/amst').StreamTunerOptions | false
  /**
   * Whether the mode given to createNode is forced (true) or only the starting point for measurement (false).
   * @default true
   */
  forceMode?: boolean
}

/** Options of `node.stop()`. */
export interface StopOptions {
  /** Let running transfers finish before closing sessions. @default false */
  drain?: boolean
  /** Longest wait for the drain, in milliseconds. @default 30000 */
  timeoutMs?: number
}
