/**
 * `transport`, `compression`, `prediction`, `sync` and `consensus`: each default comes from the mode's preset
 * (MODE_DEFAULTS). When a section overrides the preset's mechanism (PBFT in datacenter mode), the mechanism's
 * own numbers come from the mode whose preset that mechanism is, so `consensus.mechanism: pbft` alone still
 * gets 4 replicas rather than the Raft preset's 3.
 */

import { ConfigInvalidError, type Mode } from '@dwcp/core'
import { MODE_DEFAULTS, type ModeDefaults } from '../mode-defaults.js'
import type { SectionReader } from './section-reader.js'
import type {
  CompressionConfig,
  ConsensusConfig,
  PredictionConfig,
  SyncConfig,
  TransportConfig,
} from './types.js'

/** Records an allowed-but-unusual combination. */
export type Warn = (keyPath: string, message: string) => void

/** Most streams a session may open (the handshake advertises 512). */
export const MAX_STREAMS = 512

/** Level range of each written compression algorithm, from the codecs (LZ4 here has a single level). */
const LEVELS: Readonly<Record<'lz4' | 'zstd' | 'zstd-max', { min: number; max: number; note: string }>> = {
  lz4: { min: 1, max: 1, note: 'lz4 has a single level, 1' },
  zstd: { min: -128, max: 22, note: 'zstd takes -128..-1 (fast) or 1..22' },
  'zstd-max': { min: 1, max: 22, note: 'zstd-max (zstd with a long window) takes 1..22' },
}

/** The preset whose mechanism is `mechanism`, for the numbers that belong to that mechanism. */
function presetFor<K extends 'sync' | 'consensus'>(
  mode: Mode,
  part: K,
  mechanism: string | undefined,
): ModeDefaults[K] {
  if (mechanism === undefined || MODE_DEFAULTS[mode][part].mechanism === mechanism)
    return MODE_DEFAULTS[mode][part]
  const owner = (['datacenter', 'internet'] as const).find(
    (m) => MODE_DEFAULTS[m][part].mechanism === mechanism,
  )
  return MODE_DEFAULTS[owner ?? mode][part]
}

/** Reads `transport`. */
export function readTransport(root: SectionReader, mode: Mode, warn: Warn): TransportConfig {
  const preset = MODE_DEFAULTS[mode].transport
  const section = root.section('transport')
  const rdmaDevice = section.string('rdma_device', /^[A-Za-z0-9_.:-]{1,64}$/, 'a device name like mlx5_0')
  if (rdmaDevice !== undefined && mode === 'internet')
    warn(section.keyPath('rdma_device'), 'internet mode uses TCP; the RDMA device is not used')
  const streams = section.number('streams', 1, MAX_STREAMS) ?? preset.streams
  return {
    ...(rdmaDevice === undefined ? {} : { rdmaDevice }),
    streams,
    tcpStreams: section.number('tcp_streams', 1, MAX_STREAMS) ?? streams,
    congestionAlgorithm:
      section.oneOf('congestion_algorithm', ['cubic', 'bbr'] as const) ?? preset.congestion,
    pacingEnabled: section.boolean('pacing_enabled') ?? preset.pacing,
  }
}

/** Reads `compression`; the level range depends on the algorithm. */
export function readCompression(root: SectionReader, mode: Mode): CompressionConfig {
  const preset = MODE_DEFAULTS[mode].compression
  const section = root.section('compression')
  const written = section.oneOf('algorithm', ['lz4', 'zstd', 'zstd-max'] as const)
  const algorithm = written ?? preset.algorithm
  let level: number | undefined
  if (section.has('level')) {
    if (algorithm === 'adaptive')
      throw new ConfigInvalidError(
        section.keyPath('level'),
        'a level needs compression.algorithm: hybrid mode chooses the algorithm and level per chunk',
      )
    const range = LEVELS[algorithm]
    level = section.number('level', -1000, 1000)
    if (level !== undefined && (level === 0 || level < range.min || level > range.max))
      throw new ConfigInvalidError(section.keyPath('level'), `${range.note}, got ${level}`)
  }
  return {
    algorithm,
    ...(level === undefined ? {} : { level }),
    mlEnabled: section.boolean('ml_enabled') ?? preset.algorithm === 'adaptive',
  }
}

/** Reads `prediction`. */
export function readPrediction(root: SectionReader, mode: Mode): PredictionConfig {
  const preset = MODE_DEFAULTS[mode].prediction
  const section = root.section('prediction')
  return {
    model: section.oneOf('model', ['datacenter', 'internet', 'ensemble'] as const) ?? preset.model,
    sequenceLength: section.number('sequence_length', 1, 3600) ?? preset.historySamples,
  }
}

/**
 * Reads `consensus`. Raft is refused in internet mode: DESIGN.md §1 puts PBFT there because peers across the
 * internet are not trusted to be merely crash-faulty, and Raft tolerates crashes only (use hybrid mode for
 * Raft inside a site). PBFT in datacenter mode is allowed (stronger fault model, more messages) with a warning.
 */
export function readConsensus(root: SectionReader, mode: Mode, warn: Warn): ConsensusConfig {
  const section = root.section('consensus')
  const written = section.oneOf('mechanism', ['raft', 'pbft'] as const)
  if (written === 'raft' && mode === 'internet')
    throw new ConfigInvalidError(
      section.keyPath('mechanism'),
      'raft is not allowed in internet mode: it tolerates crashed peers, not faulty or hostile ones (use pbft, or mode: hybrid for Raft inside a site)',
    )
  if (written === 'pbft' && mode === 'datacenter')
    warn(
      section.keyPath('mechanism'),
      'pbft in datacenter mode is allowed: Byzantine tolerance at the cost of 3f+1 replicas and more round trips than the preset raft',
    )
  const preset = presetFor(mode, 'consensus', written)
  const mechanism = written ?? preset.mechanism
  const electionTimeoutMs = section.durationMs('election_timeout', 10, 60_000)
  if (electionTimeoutMs !== undefined && mechanism === 'pbft')
    warn(section.keyPath('election_timeout'), 'pbft elects no leader; election_timeout applies to raft only')
  const replicaCount = section.number('replica_count', 1, 1000)
  if (replicaCount !== undefined)
    checkReplicaCount(mechanism, replicaCount, section.keyPath('replica_count'), warn)
  return {
    mechanism,
    electionTimeoutMs: electionTimeoutMs ?? preset.electionTimeoutMs,
    replicaCount: replicaCount ?? preset.replicaCount,
  }
}

/** PBFT needs n = 3f+1 ≥ 4 replicas to survive f faulty ones; Raft takes any count (odd is better). */
export function checkReplicaCount(mechanism: string, count: number, keyPath: string, warn: Warn): void {
  if (mechanism === 'pbft' && (count < 4 || (count - 1) % 3 !== 0))
    throw new ConfigInvalidError(
      keyPath,
      `pbft needs 3f+1 replicas (4, 7, 10, …) to tolerate f faulty ones, got ${count}`,
    )
  if (mechanism === 'raft' && count % 2 === 0)
    warn(keyPath, `${count} raft replicas tolerate no more failures than ${count - 1}`)
}

/**
 * Reads `sync`. Raft sync is refused in internet mode for the same reason as Raft consensus, and with PBFT
 * consensus, because a Raft-backed replicator would be a second, crash-only consensus beside PBFT. CRDT sync
 * in datacenter mode is allowed with a warning (eventual consistency instead of linearizable state).
 */
export function readSync(
  root: SectionReader,
  mode: Mode,
  consensus: ConsensusConfig,
  warn: Warn,
): SyncConfig {
  const section = root.section('sync')
  const written = section.oneOf('mechanism', ['raft', 'crdt'] as const)
  const keyPath = section.keyPath('mechanism')
  if (written === 'raft' && mode === 'internet')
    throw new ConfigInvalidError(keyPath, 'raft is not allowed in internet mode (use crdt, or mode: hybrid)')
  const preset = presetFor(mode, 'sync', written)
  const mechanism = written ?? preset.mechanism
  // Checked on the resolved mechanism: PBFT written over the datacenter preset leaves raft sync behind.
  if (mechanism === 'raft' && consensus.mechanism === 'pbft')
    throw new ConfigInvalidError(
      keyPath,
      `raft sync${written ? '' : ` (the ${mode} preset)`} needs consensus.mechanism raft: a Raft replicator beside PBFT would bypass its Byzantine tolerance; set sync.mechanism: crdt`,
    )
  if (written === 'crdt' && mode === 'datacenter')
    warn(
      keyPath,
      'crdt in datacenter mode is allowed: state becomes eventually consistent instead of linearizable',
    )
  const timeoutMs = section.durationMs('timeout', 1, 600_000)
  const convergenceTimeoutMs = section.durationMs('convergence_timeout', 1, 86_400_000)
  if (timeoutMs !== undefined && mechanism === 'crdt')
    warn(section.keyPath('timeout'), 'timeout is the raft sync target; crdt uses convergence_timeout')
  if (convergenceTimeoutMs !== undefined && mechanism === 'raft')
    warn(section.keyPath('convergence_timeout'), 'convergence_timeout applies to crdt; raft uses timeout')
  return {
    mechanism,
    timeoutMs: timeoutMs ?? preset.convergenceTimeoutMs,
    convergenceTimeoutMs: convergenceTimeoutMs ?? preset.convergenceTimeoutMs,
  }
}
