/**
 * `transport`, `compression`, `prediction`, `sync` and `consensus` after the schema: each default from the
 * mode's preset (MODE_DEFAULTS), and each combination the node cannot run refused with the reason, so that
 * no key is accepted and then left without effect.
 */

import { ConfigInvalidError, type Mode } from '@dwcp/core'
import { MODE_TRAINING } from '@dwcp/pba'
import { MODE_DEFAULTS } from '../mode-defaults.js'
import type { WrittenConfig } from './schema.js'
import type {
  CompressionConfig,
  ConsensusConfig,
  PredictionConfig,
  SyncConfig,
  TransportConfig,
} from './types.js'

/** Records an allowed-but-unusual combination. */
export type Warn = (keyPath: string, message: string) => void

/** Level range of each written compression algorithm, as the node's codecs take them. */
const LEVELS: Readonly<Record<'lz4' | 'zstd' | 'zstd-max', { min: number; max: number; note: string }>> = {
  lz4: { min: 1, max: 1, note: 'lz4 has a single level, 1' },
  zstd: {
    min: 1,
    max: 22,
    note: 'zstd takes 1..22 (its fast levels -128..-1 are not supported by this release)',
  },
  'zstd-max': { min: 1, max: 22, note: 'zstd-max (zstd with a long window) takes 1..22' },
}

/** Transport keys hybrid mode sets per path class (path-policy.ts), so a written value would not hold. */
const PER_PATH_KEYS = ['streams', 'tcp_streams', 'congestion_algorithm'] as const

/**
 * Resolves `transport`. `streams` is the most streams a session may use and `tcp_streams` the count a dialled
 * TCP session opens with, so the second may not exceed the first.
 */
export function resolveTransport(
  written: WrittenConfig,
  mode: Mode,
  listenSchemes: ReadonlySet<string>,
): TransportConfig {
  const preset = MODE_DEFAULTS[mode].transport
  const section = written.transport ?? {}
  if (mode === 'hybrid') {
    for (const key of PER_PATH_KEYS) {
      if (section[key] !== undefined)
        throw new ConfigInvalidError(
          `transport.${key}`,
          'not supported in hybrid mode by this release: each path takes the streams and congestion control of its class (datacenter: 8 streams, cubic; internet: 8 streams, bbr)',
        )
    }
  }
  if (section.rdma_device !== undefined && !listenSchemes.has('ucx'))
    throw new ConfigInvalidError(
      'transport.rdma_device',
      'used by the UCX transport only, and cluster.listen has no ucx:// address',
    )
  if (
    section.streams !== undefined &&
    section.tcp_streams !== undefined &&
    section.tcp_streams > section.streams
  )
    throw new ConfigInvalidError(
      'transport.tcp_streams',
      `${section.tcp_streams} exceeds transport.streams ${section.streams}, the most streams a session may use`,
    )
  const tcpStreams = section.tcp_streams ?? section.streams ?? preset.streams
  return {
    ...(section.rdma_device === undefined ? {} : { rdmaDevice: section.rdma_device }),
    streams: section.streams ?? Math.max(preset.streams, tcpStreams),
    tcpStreams,
    congestionAlgorithm: section.congestion_algorithm ?? preset.congestion,
    pacingEnabled: section.pacing_enabled ?? preset.pacing,
  }
}

/** Resolves `compression`; the level range depends on the algorithm. */
export function resolveCompression(written: WrittenConfig, mode: Mode): CompressionConfig {
  const preset = MODE_DEFAULTS[mode].compression
  const section = written.compression ?? {}
  const algorithm = section.algorithm ?? preset.algorithm
  const level = section.level
  if (level !== undefined) {
    if (algorithm === 'adaptive')
      throw new ConfigInvalidError(
        'compression.level',
        'a level needs compression.algorithm: hybrid mode chooses the algorithm and level per chunk',
      )
    const range = LEVELS[algorithm]
    if (level < range.min || level > range.max)
      throw new ConfigInvalidError('compression.level', `${range.note}, got ${level}`)
  }
  if (section.ml_enabled === true && algorithm === 'lz4')
    throw new ConfigInvalidError(
      'compression.ml_enabled',
      'lz4 has no per-chunk choice in this release: the adaptive codec chooses up to zstd or zstd-max (set compression.algorithm to one of them)',
    )
  if (section.ml_enabled === false && algorithm === 'adaptive')
    throw new ConfigInvalidError(
      'compression.ml_enabled',
      'hybrid mode always chooses per chunk (its preset algorithm is adaptive): set compression.algorithm to zstd or zstd-max to use one codec',
    )
  const mlEnabledDefault = algorithm === 'lz4' ? false : algorithm === 'adaptive' || preset.mlEnabled
  return {
    algorithm,
    ...(level === undefined ? {} : { level }),
    mlEnabled: section.ml_enabled ?? mlEnabledDefault,
  }
}

/** History each model reads: the shipped models are trained for one length each; the ensemble runs both. */
export function modelHistorySamples(model: PredictionConfig['model']): number {
  if (model === 'ensemble')
    return Math.max(MODE_TRAINING.datacenter.historySteps, MODE_TRAINING.internet.historySteps)
  return MODE_TRAINING[model].historySteps
}

/** Resolves `prediction`: `sequence_length` must be the history of the model that serves. */
export function resolvePrediction(written: WrittenConfig, mode: Mode): PredictionConfig {
  const section = written.prediction ?? {}
  const model = section.model ?? MODE_DEFAULTS[mode].prediction.model
  const history = modelHistorySamples(model)
  if (section.sequence_length !== undefined && section.sequence_length !== history)
    throw new ConfigInvalidError(
      'prediction.sequence_length',
      `the shipped ${model} model reads ${history} samples${model === 'ensemble' ? ` (its datacenter member ${MODE_TRAINING.datacenter.historySteps})` : ''}; another history needs a model trained for it, which this release does not load`,
    )
  return { model, sequenceLength: history }
}

/**
 * Resolves `consensus` (without the member count, which the cluster section settles). Raft is refused in
 * internet mode: DESIGN.md §1 puts PBFT there because peers across the internet are not trusted to be merely
 * crash-faulty. PBFT is refused elsewhere: `createNode` builds PBFT in internet mode only (datacenter nodes run
 * Raft; hybrid mode's across-site PBFT is not built).
 */
export function resolveConsensus(written: WrittenConfig, mode: Mode, warn: Warn): ConsensusConfig {
  const section = written.consensus ?? {}
  const preset = MODE_DEFAULTS[mode].consensus
  if (section.mechanism === 'raft' && mode === 'internet')
    throw new ConfigInvalidError(
      'consensus.mechanism',
      'raft is not allowed in internet mode: it tolerates crashed peers, not faulty or hostile ones (use pbft, or mode: hybrid for Raft inside a site)',
    )
  if (section.mechanism === 'pbft' && mode !== 'internet')
    throw new ConfigInvalidError(
      'consensus.mechanism',
      `pbft is not supported in ${mode} mode by this release: ${mode === 'datacenter' ? 'datacenter nodes keep state and consensus with Raft' : "hybrid mode's across-site PBFT is not built; nodes run Raft"} (use mode: internet for PBFT)`,
    )
  const mechanism = section.mechanism ?? preset.mechanism
  if (section.replica_count !== undefined)
    checkReplicaCount(mechanism, section.replica_count, 'consensus.replica_count', warn)
  return {
    mechanism,
    electionTimeoutMs: section.election_timeout ?? preset.electionTimeoutMs,
    replicaCount: section.replica_count ?? preset.replicaCount,
    ...(section.private_key_file === undefined ? {} : { privateKeyFile: section.private_key_file }),
  }
}

/** PBFT needs n = 3f+1 ≥ 4 replicas to survive f faulty ones; Raft takes any count (odd is better). */
export function checkReplicaCount(mechanism: string, count: number, keyPath: string, warn: Warn): void {
  if (mechanism === 'pbft' && (count < 4 || (count - 1) % 3 !== 0))
    throw new ConfigInvalidError(
      keyPath,
      `pbft needs 3f+1 replicas (4, 7, 10, …) to tolerate f faulty ones, got ${count}`,
    )
  if (mechanism !== 'pbft' && count % 2 === 0)
    warn(keyPath, `${count} raft replicas tolerate no more failures than ${count - 1}`)
}

/**
 * Resolves `sync`. Raft is refused in internet mode for the same reason as Raft consensus; CRDT state outside
 * internet mode is not built (`createNode` keeps Raft state in datacenter and hybrid mode). Each timeout is
 * refused where its mechanism does not run.
 */
export function resolveSync(written: WrittenConfig, mode: Mode): SyncConfig {
  const section = written.sync ?? {}
  const preset = MODE_DEFAULTS[mode].sync
  if (section.mechanism === 'raft' && mode === 'internet')
    throw new ConfigInvalidError(
      'sync.mechanism',
      'raft is not allowed in internet mode (use crdt, or mode: hybrid)',
    )
  if (section.mechanism === 'crdt' && mode !== 'internet')
    throw new ConfigInvalidError(
      'sync.mechanism',
      `crdt is not supported in ${mode} mode by this release: ${mode === 'datacenter' ? 'datacenter nodes keep state with Raft' : "hybrid mode's across-site CRDT is not built; nodes keep state with Raft"} (use mode: internet for CRDT state)`,
    )
  const mechanism = section.mechanism ?? preset.mechanism
  const crdt = mechanism === 'crdt'
  if (section.timeout !== undefined && crdt)
    throw new ConfigInvalidError(
      'sync.timeout',
      'the deadline of Raft state operations; crdt writes apply locally and converge by gossip (use sync.convergence_timeout)',
    )
  if (section.convergence_timeout !== undefined && !crdt)
    throw new ConfigInvalidError(
      'sync.convergence_timeout',
      mechanism === 'raft'
        ? 'applies to crdt; raft state is linearizable (use sync.timeout)'
        : 'not supported in hybrid mode by this release: the across-site CRDT is not built (use sync.timeout for Raft in the site)',
    )
  // No default deadline: a preset latency target is not a reason to fail a caller's write.
  return {
    mechanism,
    ...(section.timeout === undefined ? {} : { timeoutMs: section.timeout }),
    convergenceTimeoutMs: section.convergence_timeout ?? preset.convergenceTimeoutMs,
  }
}
