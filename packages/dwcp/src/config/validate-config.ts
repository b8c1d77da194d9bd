/**
 * Validation of a whole parsed document into a {@link DwcpConfig}. Sections are read in dependency order
 * (mode first: it picks every default; consensus before sync and cluster, which depend on it), then the
 * combinations that span sections are checked. The first problem found is thrown; nothing is half-applied.
 */

import { ConfigInvalidError, type Mode } from '@dwcp/core'
import { SectionReader } from './section-reader.js'
import type { ConfigWarning, DwcpConfig } from './types.js'
import { readCluster } from './validate-cluster.js'
import { readAuthentication, readLogging, readResources, readServer, readTls } from './validate-operations.js'
import {
  readCompression,
  readConsensus,
  readPrediction,
  readSync,
  readTransport,
  type Warn,
} from './validate-protocol.js'

const MODES: readonly Mode[] = ['datacenter', 'internet', 'hybrid']

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** Files (or other sources) the document came from, kept in `config.sources`. @default [] */
  sources?: readonly string[]
}

/**
 * Validates a parsed document (plain objects, lists and scalars, as YAML gives them) and returns the typed,
 * deeply frozen configuration with the mode's defaults filled in.
 *
 * @throws ConfigInvalidError (DWCP_ERR_CONFIG_INVALID) naming the key path and the reason
 */
export function validateConfig(document: unknown, options: ValidateOptions = {}): DwcpConfig {
  const root = SectionReader.open(document, '')
  const warnings: ConfigWarning[] = []
  const warn: Warn = (keyPath, message) => warnings.push(Object.freeze({ keyPath, message }))
  const mode = root.oneOf('mode', MODES)
  if (mode === undefined)
    throw new ConfigInvalidError(
      'mode',
      'required: datacenter, internet or hybrid (it picks the default of every other key)',
    )
  const transport = readTransport(root, mode, warn)
  const compression = readCompression(root, mode)
  const prediction = readPrediction(root, mode)
  const consensusRead = readConsensus(root, mode, warn)
  const sync = readSync(root, mode, consensusRead, warn)
  const resources = readResources(root)
  const tls = readTls(root, warn)
  const authentication = readAuthentication(root, tls, warn)
  const server = readServer(root, warn)
  const replicaCountWritten = root.section('consensus').has('replica_count')
  const { cluster, replicaCount } = readCluster(root, mode, consensusRead, replicaCountWritten, warn)
  const consensus = { ...consensusRead, replicaCount }
  const logging = readLogging(root)

  const networkListen = cluster.listen?.find((address) => !address.startsWith('memory://'))
  if (networkListen !== undefined && tls === undefined)
    throw new ConfigInvalidError(
      'tls',
      `cluster.listen has ${networkListen}: set tls.enabled: true (with cert_file, key_file, ca_file) or tls.enabled: false to ask for plaintext explicitly`,
    )
  cluster.listen?.forEach((address, index) => {
    const port = Number(/:(\d+)$/.exec(address)?.[1])
    for (const [key, used] of [
      ['http_port', server.httpPort],
      ['https_port', server.httpsPort],
    ] as const) {
      if (port === used)
        throw new ConfigInvalidError(`cluster.listen[${index}]`, `port ${port} is also server.${key}`)
    }
  })

  return deepFreeze({
    mode,
    transport,
    compression,
    prediction,
    sync,
    consensus,
    resources,
    ...(tls === undefined ? {} : { tls }),
    authentication,
    server,
    cluster,
    logging,
    warnings,
    raw: structuredClone(document ?? {}) as Record<string, unknown>,
    sources: [...(options.sources ?? [])],
  })
}

/** Freezes `value` and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
