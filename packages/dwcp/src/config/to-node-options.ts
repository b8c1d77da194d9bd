/**
 * The part of `createNode(mode, options)` a config determines. Pure: TLS files stay paths for the transport
 * to load when it starts, so this never touches the file system.
 */

import type { TlsConfig } from '@dwcp/amst'
import type { Mode } from '@dwcp/core'
import type { NodeOptions } from '../node-options.js'
import type { DwcpConfig } from './types.js'

/** What {@link toNodeOptions} returns: the mode and the options to pass with it. */
export interface ConfigNodeOptions
  extends Pick<NodeOptions, 'nodeId' | 'clusterId' | 'listen' | 'tls' | 'cluster'> {
  /** `mode`; forced, since an operator who writes it means it. */
  mode: Mode
}

/**
 * Maps a config to `createNode` options: ids, listen addresses, TLS (file paths, allow-list) or an explicit
 * `false`, and the Raft cluster (members, data directory, election timeout) when consensus runs Raft (in
 * datacenter mode, or inside a site in hybrid mode). Everything else keeps the mode's default.
 *
 * @example
 * ```ts
 * const { mode, ...options } = toNodeOptions(config)
 * const node = createNode(mode, options)
 * ```
 */
export function toNodeOptions(config: DwcpConfig): ConfigNodeOptions {
  const { cluster, consensus } = config
  const options: ConfigNodeOptions = { mode: config.mode, clusterId: cluster.clusterId }
  if (cluster.nodeId !== undefined) options.nodeId = cluster.nodeId
  if (cluster.listen !== undefined) options.listen = [...cluster.listen]
  if (config.tls !== undefined) options.tls = tlsOptions(config)
  const raft = consensus.mechanism === 'raft' || consensus.mechanism === 'raft-in-site-pbft-across'
  if (raft && cluster.members.length > 0)
    options.cluster = {
      members: cluster.members.map((member) => ({ ...member })),
      dataDir: cluster.dataDir,
      joining: cluster.joining,
      electionTimeoutMs: consensus.electionTimeoutMs,
    }
  return options
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
