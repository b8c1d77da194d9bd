/**
 * The validated configuration: typed, every default filled in from the mode's preset (`MODE_DEFAULTS`),
 * units in the names, deeply frozen. Optional fields are absent when the file leaves them out and no default
 * makes sense (limits, TLS files).
 */

import type { Mode } from '@dwcp/core'
import type { ModeDefaults } from '../mode-defaults.js'

/** A combination that is allowed but worth telling the operator about. */
export interface ConfigWarning {
  /** The key the warning is about, e.g. `consensus.mechanism`. */
  readonly keyPath: string
  /** What is unusual and what it costs. */
  readonly message: string
}

/** `transport.*`. */
export interface TransportConfig {
  /** `rdma_device` (e.g. `mlx5_0`), the UCX devices; only with a `ucx://` listen address. */
  readonly rdmaDevice?: string
  /** `streams`: the most streams a session may use (1..512). @default preset, or `tcpStreams` if larger */
  readonly streams: number
  /** `tcp_streams`: streams a dialled TCP session opens with (1..`streams`). @default `streams` */
  readonly tcpStreams: number
  /** `congestion_algorithm`. @default preset (cubic in datacenter, bbr otherwise) */
  readonly congestionAlgorithm: ModeDefaults['transport']['congestion']
  /** `pacing_enabled`. @default preset */
  readonly pacingEnabled: boolean
}

/** `compression.*`. */
export interface CompressionConfig {
  /** `algorithm`: lz4, zstd or zstd-max; `adaptive` only as hybrid mode's preset. */
  readonly algorithm: 'lz4' | 'zstd' | 'zstd-max' | 'adaptive'
  /** `level`; absent: the algorithm's default. */
  readonly level?: number
  /** `ml_enabled`: the adaptive codec chooses per chunk. @default the preset's, false with lz4 */
  readonly mlEnabled: boolean
}

/** `prediction.*`. */
export interface PredictionConfig {
  /** `model`. @default preset */
  readonly model: ModeDefaults['prediction']['model']
  /** `sequence_length`: the model's history in samples (fixed by the shipped model). */
  readonly sequenceLength: number
}

/** `sync.*`. */
export interface SyncConfig {
  /** `mechanism`. @default preset (hybrid: Raft in a site) */
  readonly mechanism: ModeDefaults['sync']['mechanism']
  /** `timeout`: deadline of Raft state operations; absent: none (a call waits as long as its caller lets it). */
  readonly timeoutMs?: number
  /** `convergence_timeout`: CRDT convergence bound. @default preset convergence time */
  readonly convergenceTimeoutMs: number
}

/** `consensus.*`. */
export interface ConsensusConfig {
  /** `mechanism`. @default preset (hybrid: Raft in a site) */
  readonly mechanism: ModeDefaults['consensus']['mechanism']
  /** `election_timeout`: Raft's election timeout, PBFT's view-change timeout. @default preset */
  readonly electionTimeoutMs: number
  /** `replica_count`: Raft ≥ 1; PBFT 3f+1 ≥ 4. @default the member count, else the preset */
  readonly replicaCount: number
  /** `private_key_file`: this member's Ed25519 private key (PEM) for PBFT. */
  readonly privateKeyFile?: string
}

/** `resources.*`; the limits this release cannot enforce are refused by the schema. */
export interface ResourcesConfig {
  /** `network.connections_max`: most transport sessions open at once (1..1000000); absent: no cap. */
  readonly network: { readonly connectionsMax?: number }
}

/** `tls.*` (absent when the file has no `tls` section). */
export interface TlsSettings {
  /** `enabled`: required when the section is present; `false` asks for plaintext explicitly. */
  readonly enabled: boolean
  /** `cert_file` (absolute path, PEM); required when enabled. */
  readonly certFile?: string
  /** `key_file` (absolute path, PEM); required when enabled. */
  readonly keyFile?: string
  /** `ca_file` (absolute path, PEM): the CA that signs peers; required when enabled. */
  readonly caFile?: string
  /** Always `TLSv1.3` (the only version DWCP speaks; `"1.3"` is accepted as a spelling). */
  readonly minVersion: 'TLSv1.3'
  /** `cipher_suites`: TLS 1.3 suites by IANA name; absent: Node's TLS 1.3 defaults. */
  readonly cipherSuites?: readonly string[]
}

/** `authentication.*`. */
export interface AuthenticationConfig {
  /** @default 'mutual_tls' (the only mechanism) */
  readonly mechanism: 'mutual_tls'
  /** @default true */
  readonly clientCertRequired: boolean
  /** Certificate subject patterns (`CN=node-*.datacenter.local`). @default [] */
  readonly allowedSubjects: readonly string[]
}

/** `server.*`: the HTTP API (`/health`, `/metrics`). */
export interface ServerConfig {
  /** @default 8080 */
  readonly httpPort: number
  /** Used only when `tls.enabled`. @default 8443 */
  readonly httpsPort: number
  /** @default '127.0.0.1' (the API is local unless asked otherwise) */
  readonly bindAddress: string
  /** File holding the bearer token the API requires; absent: no token (warned about off loopback). */
  readonly authTokenFile?: string
}

/** One `cluster.members[]` entry. */
export interface MemberConfig {
  /** Node id (1..128 of [A-Za-z0-9._-]), unique in the list. */
  readonly id: string
  /** `scheme://host:port`; a missing port takes the runbook's port for the scheme. */
  readonly address: string
  /** Region label: the member's site (hybrid mode). */
  readonly region?: string
  /** `public_key_file`: the member's Ed25519 public key (PEM) for PBFT. */
  readonly publicKeyFile?: string
}

/** `cluster.*`. */
export interface ClusterConfig {
  /** `node_id`; absent: a random id at start (then `members` must be empty). */
  readonly nodeId?: string
  /** @default 'default' */
  readonly clusterId: string
  /** @default '/var/lib/dwcp' */
  readonly dataDir: string
  /** Transport addresses; absent: in-memory only (embedding, tests). */
  readonly listen?: readonly string[]
  /** @default false */
  readonly joining: boolean
  /** @default [] */
  readonly members: readonly MemberConfig[]
}

/** `logging.*`. */
export interface LoggingConfig {
  /** @default 'info' */
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
  /** Absent: JSON lines on stdout. */
  readonly file?: string
}

/** A validated DWCP configuration. */
export interface DwcpConfig {
  /** `mode` (required): picks every default. */
  readonly mode: Mode
  /** `transport.*`. */
  readonly transport: TransportConfig
  /** `compression.*`. */
  readonly compression: CompressionConfig
  /** `prediction.*`. */
  readonly prediction: PredictionConfig
  /** `sync.*`. */
  readonly sync: SyncConfig
  /** `consensus.*`; with `cluster.members`, `replicaCount` is the member count. */
  readonly consensus: ConsensusConfig
  /** `resources.*`. */
  readonly resources: ResourcesConfig
  /** `tls.*`; absent when the file has no `tls` section. */
  readonly tls?: TlsSettings
  /** `authentication.*`. */
  readonly authentication: AuthenticationConfig
  /** `server.*`. */
  readonly server: ServerConfig
  /** `cluster.*`. */
  readonly cluster: ClusterConfig
  /** `logging.*`. */
  readonly logging: LoggingConfig
  /** Allowed but unusual combinations, for the server to log at start. */
  readonly warnings: readonly ConfigWarning[]
  /** The document as written (merged over files), which `setConfigValue` edits and a CLI writes back. */
  readonly raw: Readonly<Record<string, unknown>>
  /** Files (or other sources) the config came from, in merge order. */
  readonly sources: readonly string[]
}
