import { InvalidArgumentError, type Mode } from '@dwcp/core'

/** What a mode wants from each part, per DESIGN.md §1. */
export interface ModeDefaults {
  /** Transport the mode prefers (the node falls back, with a reason, when it is not available). */
  transport: {
    preferred: 'ucx' | 'tcp' | 'per-peer'
    streams: number
    congestion: 'cubic' | 'bbr'
    pacing: boolean
  }
  /**
   * Compression the mode prefers: speed in the datacenter, size over the internet. `level` is zstd's (lz4 has
   * one); `mlEnabled` lets the adaptive codec choose per chunk, up to `algorithm`, by the path's forecast.
   */
  compression: {
    algorithm: 'lz4' | 'zstd' | 'zstd-max' | 'adaptive'
    level?: number
    mlEnabled: boolean
    delta: boolean
  }
  /** Prediction model and its history length in samples. */
  prediction: { model: 'datacenter' | 'internet' | 'ensemble'; historySamples: number }
  /** State sync mechanism. */
  sync: { mechanism: 'raft' | 'crdt' | 'raft-in-site-crdt-across'; convergenceTimeoutMs: number }
  /** Consensus protocol. */
  consensus: {
    mechanism: 'raft' | 'pbft' | 'raft-in-site-pbft-across'
    electionTimeoutMs: number
    replicaCount: number
  }
}

/** The per-mode defaults table. */
export const MODE_DEFAULTS: Readonly<Record<Mode, ModeDefaults>> = Object.freeze({
  datacenter: {
    transport: { preferred: 'ucx', streams: 8, congestion: 'cubic', pacing: false },
    compression: { algorithm: 'lz4', level: 1, mlEnabled: false, delta: false },
    prediction: { model: 'datacenter', historySamples: 10 },
    sync: { mechanism: 'raft', convergenceTimeoutMs: 100 },
    consensus: { mechanism: 'raft', electionTimeoutMs: 150, replicaCount: 3 },
  },
  internet: {
    transport: { preferred: 'tcp', streams: 8, congestion: 'bbr', pacing: true },
    compression: { algorithm: 'zstd-max', mlEnabled: true, delta: true },
    prediction: { model: 'internet', historySamples: 60 },
    sync: { mechanism: 'crdt', convergenceTimeoutMs: 30_000 },
    consensus: { mechanism: 'pbft', electionTimeoutMs: 1000, replicaCount: 4 },
  },
  hybrid: {
    transport: { preferred: 'per-peer', streams: 8, congestion: 'bbr', pacing: true },
    compression: { algorithm: 'adaptive', mlEnabled: true, delta: true },
    prediction: { model: 'ensemble', historySamples: 60 },
    sync: { mechanism: 'raft-in-site-crdt-across', convergenceTimeoutMs: 30_000 },
    consensus: { mechanism: 'raft-in-site-pbft-across', electionTimeoutMs: 150, replicaCount: 4 },
  },
})

/** Overrides of a mode's defaults that a node takes (`createNode(mode, { tuning })`, the config file's keys). */
export interface NodeTuning {
  /**
   * Streams a session opens with, congestion control, pacing; and for network transports the most streams a
   * session may have (TCP streams, UCX lanes; @default 64) and the RDMA device UCX uses (@default UCX's choice).
   */
  transport?: Partial<Pick<ModeDefaults['transport'], 'streams' | 'congestion' | 'pacing'>> & {
    maxStreams?: number
    rdmaDevice?: string
  }
  /** Codec: algorithm, zstd level, per-chunk choice. */
  compression?: Partial<Pick<ModeDefaults['compression'], 'algorithm' | 'level' | 'mlEnabled'>>
  /** Which learned model forecasts each path. */
  prediction?: Partial<Pick<ModeDefaults['prediction'], 'model'>>
}

/** The defaults of `mode` with `tuning` applied. */
export function tunedDefaults(mode: Mode, tuning: NodeTuning = {}): ModeDefaults {
  const preset = MODE_DEFAULTS[mode]
  const streams = tuning.transport?.streams
  if (streams !== undefined && !(Number.isInteger(streams) && streams >= 1 && streams <= 512))
    throw new InvalidArgumentError('tuning.transport.streams', `must be an integer of 1..512, not ${streams}`)
  const maxStreams = tuning.transport?.maxStreams
  if (maxStreams !== undefined && !(Number.isInteger(maxStreams) && maxStreams >= 1 && maxStreams <= 512))
    throw new InvalidArgumentError(
      'tuning.transport.maxStreams',
      `must be an integer of 1..512, not ${maxStreams}`,
    )
  const level = tuning.compression?.level
  if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 22))
    throw new InvalidArgumentError('tuning.compression.level', `must be a zstd level of 1..22, not ${level}`)
  return {
    ...preset,
    transport: { ...preset.transport, ...withoutExtras(tuning.transport) },
    compression: { ...preset.compression, ...tuning.compression },
    prediction: { ...preset.prediction, ...tuning.prediction },
  }
}

/** The transport tuning that overrides the mode's table (the network extras go to the transport itself). */
function withoutExtras(
  transport: NodeTuning['transport'],
): Partial<Pick<ModeDefaults['transport'], 'streams' | 'congestion' | 'pacing'>> {
  if (!transport) return {}
  const { maxStreams: _maxStreams, rdmaDevice: _rdmaDevice, ...table } = transport
  return table
}
