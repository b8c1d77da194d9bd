/**
 * Validation of a whole parsed document into a {@link DwcpConfig}: the schema (schema.ts) checks every key's
 * type, range and unit, then the resolvers fill in the mode's defaults and check what spans keys, in
 * dependency order (mode first: it picks every default). The first problem found is thrown as a
 * `ConfigInvalidError` naming its key path; nothing is half-applied.
 */

import { ConfigInvalidError } from '@dwcp/core'
import * as v from 'valibot'
import { resolveCluster, schemeOf } from './resolve-cluster.js'
import {
  resolveAuthentication,
  resolveLogging,
  resolveResources,
  resolveServer,
  resolveTls,
} from './resolve-operations.js'
import {
  resolveCompression,
  resolveConsensus,
  resolvePrediction,
  resolveSync,
  resolveTransport,
  type Warn,
} from './resolve-protocol.js'
import { configSchema, type WrittenConfig } from './schema.js'
import type { ConfigWarning, DwcpConfig } from './types.js'

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** Files (or other sources) the document came from, kept in `config.sources`. @default [] */
  sources?: readonly string[]
}

/** The key path of a schema issue: `cluster.members[2].id`, `(root)` for the document itself. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  let path = ''
  for (const item of issue.path ?? []) {
    const key = item.key as string | number
    path = typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`
  }
  return path || '(root)'
}

/**
 * Checks `document` against the schema and returns it as written (units parsed, nothing defaulted).
 *
 * @throws ConfigInvalidError at the key path of the first problem
 */
export function parseWritten(document: unknown): WrittenConfig {
  const result = v.safeParse(configSchema, document ?? {}, { abortEarly: true })
  if (result.success) return result.output
  const issue = result.issues[0]
  throw new ConfigInvalidError(issuePath(issue), issue.message)
}

/**
 * Validates a parsed document (plain objects, lists and scalars, as YAML gives them) and returns the typed,
 * deeply frozen configuration with the mode's defaults filled in.
 *
 * @throws ConfigInvalidError (DWCP_ERR_CONFIG_INVALID) naming the key path and the reason
 */
export function validateConfig(document: unknown, options: ValidateOptions = {}): DwcpConfig {
  const written = parseWritten(document)
  const warnings: ConfigWarning[] = []
  const warn: Warn = (keyPath, message) => warnings.push(Object.freeze({ keyPath, message }))
  const mode = written.mode
  if (mode === undefined)
    throw new ConfigInvalidError(
      'mode',
      'required: datacenter, internet or hybrid (it picks the default of every other key)',
    )
  const listenSchemes = new Set<string>(written.cluster?.listen?.map(schemeOf))
  const transport = resolveTransport(written, mode, listenSchemes)
  const compression = resolveCompression(written, mode)
  const prediction = resolvePrediction(written, mode)
  const consensusRead = resolveConsensus(written, mode, warn)
  const sync = resolveSync(written, mode)
  const tls = resolveTls(written)
  const authentication = resolveAuthentication(written, tls, warn)
  const server = resolveServer(written, warn)
  const { cluster, replicaCount } = resolveCluster(written, mode, consensusRead, warn)
  const consensus = { ...consensusRead, replicaCount }
  const resources = resolveResources(written, cluster)
  const logging = resolveLogging(written)

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
