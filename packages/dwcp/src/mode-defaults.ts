import type { Mode } from '@dwcp/core'

/** What a mode wants from each part, per DESIGN.md §1. */
export interface ModeDefaults {
  /** Transport the mode prefers (the node falls back, with a reason, when it is not available). */
  transport: {
    preferred: 'ucx' | 'tcp' | 'per-peer'
    streams: number
    congestion: 'cubic' | 'bbr'
    pacing: boolean
  }
  /** Compression the mode prefers: speed in the datacenter, size over the internet. */
  compression: { algorithm: 'lz4' | 'zstd-max' | 'adaptive'; delta: boolean }
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
    compression: { algorithm: 'lz4', delta: false },
    prediction: { model: 'datacenter', historySamples: 10 },
    sync: { mechanism: 'raft', convergenceTimeoutMs: 100 },
    consensus: { mechanism: 'raft', electionTimeoutMs: 150, replicaCount: 3 },
  },
  internet: {
    transport: { preferred: 'tcp', streams: 8, congestion: 'bbr', pacing: true },
    compression: { algorithm: 'zstd-max', delta: true },
    prediction: { model: 'internet', historySamples: 60 },
    sync: { mechanism: 'crdt', convergenceTimeoutMs: 30_000 },
    consensus: { mechanism: 'pbft', electionTimeoutMs: 1000, replicaCount: 4 },
  },
  hybrid: {
    transport: { preferred: 'per-peer', streams: 8, congestion: 'bbr', pacing: true },
    compression: { algorithm: 'adaptive', delta: true },
    prediction: { model: 'ensemble', historySamples: 60 },
    sync: { mechanism: 'raft-in-site-crdt-across', convergenceTimeoutMs: 30_000 },
    consensus: { mechanism: 'raft-in-site-pbft-across', electionTimeoutMs: 150, replicaCount: 4 },
  },
})
