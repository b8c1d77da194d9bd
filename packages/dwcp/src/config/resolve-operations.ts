/**
 * `resources`, `tls`, `authentication`, `server` and `logging` after the schema: the sections an operator, not
 * the protocol, decides. TLS is all or nothing: enabled means mutual TLS 1.3, which needs this node's
 * certificate and key, the CA that signs peers, and an allow-list of peer subjects; disabled, none of its
 * other keys would be read, so they are refused.
 */

import { parseAllowedSubjects } from '@dwcp/amst'
import { ConfigInvalidError } from '@dwcp/core'
import { isHost } from './resolve-cluster.js'
import type { Warn } from './resolve-protocol.js'
import type { WrittenConfig } from './schema.js'
import { describeValue } from './suggest.js'
import type {
  AuthenticationConfig,
  ClusterConfig,
  LoggingConfig,
  ResourcesConfig,
  ServerConfig,
  TlsSettings,
} from './types.js'

/** `{ [key]: value }` when the value is present, `{}` otherwise (keeps absent fields absent, not undefined). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

/**
 * Resolves `resources` (the schema already refused the limits this release cannot enforce). A session cap
 * below the other members would keep the cluster from forming, so it is refused.
 */
export function resolveResources(written: WrittenConfig, cluster: ClusterConfig): ResourcesConfig {
  const connectionsMax = written.resources?.network?.connections_max
  const others = cluster.members.filter((member) => member.id !== cluster.nodeId).length
  if (connectionsMax !== undefined && connectionsMax < others)
    throw new ConfigInvalidError(
      'resources.network.connections_max',
      `${connectionsMax} is below the ${others} other members of cluster.members, which this node keeps sessions with`,
    )
  return { network: optional('connectionsMax', connectionsMax) }
}

const TLS_FILES = [
  ['cert_file', 'certFile'],
  ['key_file', 'keyFile'],
  ['ca_file', 'caFile'],
] as const

/** Resolves `tls`; absent when the file has no `tls` section. */
export function resolveTls(written: WrittenConfig): TlsSettings | undefined {
  const section = written.tls
  if (section === undefined) return undefined
  const enabled = section.enabled
  if (enabled === undefined)
    throw new ConfigInvalidError(
      'tls.enabled',
      'required when a tls section is present: true (mutual TLS 1.3) or false (plaintext, asked for explicitly)',
    )
  if (!enabled) {
    for (const key of ['cert_file', 'key_file', 'ca_file', 'min_version', 'cipher_suites'] as const) {
      if (section[key] !== undefined)
        throw new ConfigInvalidError(
          `tls.${key}`,
          'not used while tls.enabled is false: remove it, or set tls.enabled: true',
        )
    }
    return { enabled, minVersion: 'TLSv1.3' }
  }
  for (const [key] of TLS_FILES) {
    if (section[key] === undefined)
      throw new ConfigInvalidError(
        `tls.${key}`,
        'required when tls.enabled is true: mutual TLS needs this node certificate (cert_file), its key (key_file) and the CA that signs peers (ca_file)',
      )
  }
  return {
    enabled,
    ...optional('certFile', section.cert_file),
    ...optional('keyFile', section.key_file),
    ...optional('caFile', section.ca_file),
    minVersion: 'TLSv1.3',
    ...optional('cipherSuites', section.cipher_suites),
  }
}

/**
 * Resolves `authentication`. Mutual TLS is its only mechanism, so any authentication setting needs
 * `tls.enabled: true`; enabled TLS needs a non-empty `allowed_subjects` (`CN=*` admits every certificate the
 * CA signed), checked with the transport's own pattern grammar.
 */
export function resolveAuthentication(
  written: WrittenConfig,
  tls: TlsSettings | undefined,
  warn: Warn,
): AuthenticationConfig {
  const section = written.authentication
  const clientCertRequired = section?.client_cert_required ?? true
  const allowedSubjects = section?.allowed_subjects ?? []
  parseAllowedSubjects(allowedSubjects, 'authentication.allowed_subjects')
  if (section !== undefined && tls?.enabled !== true)
    throw new ConfigInvalidError(
      section.mechanism !== undefined ? 'authentication.mechanism' : 'authentication.allowed_subjects',
      'mutual_tls authentication needs tls.enabled: true',
    )
  if (tls?.enabled === true && allowedSubjects.length === 0)
    throw new ConfigInvalidError(
      'authentication.allowed_subjects',
      'required when tls.enabled is true: the certificate subjects peers may present (e.g. "CN=node-*.datacenter.local"; "CN=*" admits any certificate the CA signed)',
    )
  if (!clientCertRequired)
    warn('authentication.client_cert_required', 'false: the accepting side does not authenticate peers')
  return { mechanism: 'mutual_tls', clientCertRequired, allowedSubjects: [...allowedSubjects] }
}

/** Resolves `server`: the HTTP API. Binding beyond loopback without a token is allowed with a warning. */
export function resolveServer(written: WrittenConfig, warn: Warn): ServerConfig {
  const section = written.server ?? {}
  const httpPort = section.http_port ?? 8080
  const httpsPort = section.https_port ?? 8443
  if (httpPort === httpsPort)
    throw new ConfigInvalidError('server.https_port', `${httpsPort} is also server.http_port`)
  const bindAddress = section.bind_address ?? '127.0.0.1'
  if (!isHost(bindAddress))
    throw new ConfigInvalidError(
      'server.bind_address',
      `expected an IP address or host name, got ${describeValue(bindAddress)}`,
    )
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(bindAddress)
  if (!loopback && section.auth_token_file === undefined)
    warn(
      'server.bind_address',
      `${bindAddress} exposes the HTTP API beyond this host without auth_token_file`,
    )
  return { httpPort, httpsPort, bindAddress, ...optional('authTokenFile', section.auth_token_file) }
}

/** Resolves `logging`. */
export function resolveLogging(written: WrittenConfig): LoggingConfig {
  return { level: written.logging?.level ?? 'info', ...optional('file', written.logging?.file) }
}
