/**
 * The part of `createNode(mode, options)` a config determines. Pure: TLS and PBFT key files stay paths for the
 * transport and the server to load when they start, so this never touches the file system.
 */

import type { TlsConfig } from '@dwcp/amst'
import type { Mode } from '@dwcp/core'
import type { NodeTuning } from '../mode-defaults.js'
import type { NodeOptions } from '../node-options.js'
import type { ClusterOptions } from '../raft/cluster-options.js'
import type { DwcpConfig } from './types.js'

/** The Ed25519 key files PBFT signs and checks with, for the server to read into `cluster.pbft`. */
export interface PbftKeyFiles {
  /** `consensus.private_key_file`: this member's private key (PEM, PKCS#8). */
  readonly privateKeyFile: string
  /** `cluster.members[].public_key_file` by member id (PEM, SPKI), this member's included. */
  readonly publicKeyFiles: Readonly<Record<string, string>>
}

/** What {@link toNodeOptions} returns: the mode and the options to pass with it. */
export interface ConfigNodeOptions
  extends Pick<
    NodeOptions,
    'nodeId' | 'clusterId' | 'listen' | 'tls' | 'cluster' | 'tuning' | 'streamTuning'
  > {
  /** `mode`; forced, since an operator who writes it means it. */
  mode: Mode
  /** With PBFT: the key files to read into `cluster.pbft` before `createNode`. */
  pbftKeyFiles?: PbftKeyFiles
}

/**
 * Maps a config to `createNode` options: ids, listen addresses, TLS (file paths, allow-list) or an explicit
 * `false`; the tuning of the transport, codec and predictor; the TCP stream tuner's cap; and the cluster when
 * `cluster.members` lists one: Raft (datacenter, hybrid) with its election timeout and state deadline, or CRDT
 * state and PBFT (internet) with the convergence bound, the view-change timeout and the key files.
 *
 * @example
 * ```ts
 * const { mode, pbftKeyFiles, ...options } = toNodeOptions(config)
 * const node = createNode(mode, options) // with cluster.pbft read from pbftKeyFiles first, under PBFT
 * ```
 */
export function toNodeOptions(config: DwcpConfig): ConfigNodeOptions {
  const { cluster } = config
  const options: ConfigNodeOptions = {
    mode: config.mode,
    clusterId: cluster.clusterId,
    tuning: nodeTuning(config),
    // The tuner climbs from tcp_streams up to streams, the most a session may use.
    streamTuning: { maxStreams: config.transport.streams },
  }
  if (cluster.nodeId !== undefined) options.nodeId = cluster.nodeId
  if (cluster.listen !== undefined) options.listen = [...cluster.listen]
  if (config.tls !== undefined) options.tls = tlsOptions(config)
  if (cluster.members.length > 0) {
    options.cluster = clusterOptions(config)
    const { privateKeyFile } = config.consensus
    if (config.consensus.mechanism === 'pbft' && privateKeyFile !== undefined)
      options.pbftKeyFiles = {
        privateKeyFile,
        publicKeyFiles: Object.fromEntries(
          cluster.members.map((member) => [member.id, member.publicKeyFile as string]),
        ),
      }
  }
  return options
}

/** The `tuning` of `createNode`: what the config's transport, compression and prediction keys set. */
function nodeTuning(config: DwcpConfig): NodeTuning {
  const { transport, compression, prediction } = config
  return {
    transport: {
      streams: transport.tcpStreams,
      maxStreams: transport.streams,
      congestion: transport.congestionAlgorithm,
      pacing: transport.pacingEnabled,
      ...(transport.rdmaDevice === undefined ? {} : { rdmaDevice: transport.rdmaDevice }),
    },
    compression: {
      algorithm: compression.algorithm,
      ...(compression.level === undefined ? {} : { level: compression.level }),
      mlEnabled: compression.mlEnabled,
    },
    prediction: { model: prediction.model },
  }
}

function clusterOptions(config: DwcpConfig): ClusterOptions {
  const { cluster, consensus, sync } = config
  const members = cluster.members.map(({ id, address, region }) => ({
    id,
    address,
    ...(region === undefined ? {} : { region }),
  }))
  if (consensus.mechanism === 'pbft')
    return {
      members,
      dataDir: cluster.dataDir,
      viewChangeTimeoutMs: consensus.electionTimeoutMs,
      convergenceTimeoutMs: sync.convergenceTimeoutMs,
    }
  return {
    members,
    dataDir: cluster.dataDir,
    joining: cluster.joining,
    electionTimeoutMs: consensus.electionTimeoutMs,
    ...(sync.timeoutMs === undefined ? {} : { syncTimeoutMs: sync.timeoutMs }),
  }
}

function tlsOptions(config: DwcpConfig): TlsConfig | false {
  const tls = config.tls
  if (tls === undefined || !tls.enabled) return false
  return {
    enabled: true,
    ...(tls.certFile === undefined ? {} : { certFile: tls.certFile }),
    ...(tls.keyFile === undefined ? {} : { keyFile: tls.keyFile }),
    ...(tls.caFile === undefined ? {} : { caFile: tls.caFile }),
    minVersion: tls.minVersion,
    ...(tls.cipherSuites === undefined ? {} : { cipherSuites: [...tls.cipherSuites] }),
    clientCertRequired: config.authentication.clientCertRequired,
    allowedSubjects: [...config.authentication.allowedSubjects],
  }
}
