/**
 * `resources`, `tls`, `authentication`, `server` and `logging`: the sections an operator, not the protocol,
 * decides. TLS is all or nothing: enabled means mutual TLS 1.3, which needs this node's certificate and key,
 * the CA that signs peers, and an allow-list of peer subjects.
 */

import { isIP } from 'node:net'
import { parseAllowedSubjects, TLS13_CIPHER_SUITES } from '@dwcp/amst'
import { ConfigInvalidError } from '@dwcp/core'
import type { SectionReader } from './section-reader.js'
import { formatSizeBytes } from './size.js'
import { describeValue, didYouMean } from './suggest.js'
import type {
  AuthenticationConfig,
  LoggingConfig,
  ResourcesConfig,
  ServerConfig,
  TlsSettings,
} from './types.js'
import type { Warn } from './validate-protocol.js'

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/

/** Whether `host` is an IP literal or a DNS name. */
export function isHost(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host)
}

/** Reads `resources`; a reservation above its limit, or buffers above the memory limit, are refused. */
export function readResources(root: SectionReader): ResourcesConfig {
  const section = root.section('resources')
  const cpu = section.section('cpu')
  const limitCores = cpu.number('limit', 0.01, 4096, false)
  const reservationCores = cpu.number('reservation', 0.01, 4096, false)
  if (limitCores !== undefined && reservationCores !== undefined && reservationCores > limitCores)
    throw new ConfigInvalidError(
      cpu.keyPath('reservation'),
      `reservation ${reservationCores} cores exceeds limit ${limitCores} cores`,
    )
  const memory = section.section('memory')
  const limitBytes = memory.sizeBytes('limit')
  const reservationBytes = memory.sizeBytes('reservation')
  const mlCacheBytes = memory.sizeBytes('ml_cache')
  const compressionBufferBytes = memory.sizeBytes('compression_buffer')
  if (limitBytes !== undefined) {
    for (const [key, bytes] of [
      ['reservation', reservationBytes],
      ['ml_cache', mlCacheBytes],
      ['compression_buffer', compressionBufferBytes],
    ] as const) {
      if (bytes !== undefined && bytes > limitBytes)
        throw new ConfigInvalidError(
          memory.keyPath(key),
          `${formatSizeBytes(bytes)} exceeds memory.limit ${formatSizeBytes(limitBytes)}`,
        )
    }
    if ((mlCacheBytes ?? 0) + (compressionBufferBytes ?? 0) > limitBytes)
      throw new ConfigInvalidError(
        memory.keyPath('compression_buffer'),
        `ml_cache plus compression_buffer exceed memory.limit ${formatSizeBytes(limitBytes)}`,
      )
  }
  const network = section.section('network')
  const bandwidthLimitBps = network.rateBps('bandwidth_limit')
  const connectionsMax = network.number('connections_max', 1, 1_000_000)
  return {
    cpu: { ...optional('limitCores', limitCores), ...optional('reservationCores', reservationCores) },
    memory: {
      ...optional('limitBytes', limitBytes),
      ...optional('reservationBytes', reservationBytes),
      ...optional('mlCacheBytes', mlCacheBytes),
      ...optional('compressionBufferBytes', compressionBufferBytes),
    },
    network: {
      ...optional('bandwidthLimitBps', bandwidthLimitBps),
      ...optional('connectionsMax', connectionsMax),
    },
  }
}

/** `{ [key]: value }` when the value is present, `{}` otherwise (keeps absent fields absent, not undefined). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

/** Reads `tls`; absent when the file has no `tls` section. */
export function readTls(root: SectionReader, warn: Warn): TlsSettings | undefined {
  if (!root.has('tls')) return undefined
  const section = root.section('tls')
  const enabled = section.boolean('enabled')
  if (enabled === undefined)
    throw new ConfigInvalidError(
      section.keyPath('enabled'),
      'required when a tls section is present: true (mutual TLS 1.3) or false (plaintext, asked for explicitly)',
    )
  const files = {
    certFile: section.filePath('cert_file'),
    keyFile: section.filePath('key_file'),
    caFile: section.filePath('ca_file'),
  }
  for (const [key, value] of [
    ['cert_file', files.certFile],
    ['key_file', files.keyFile],
    ['ca_file', files.caFile],
  ] as const) {
    if (enabled && value === undefined)
      throw new ConfigInvalidError(
        section.keyPath(key),
        'required when tls.enabled is true: mutual TLS needs this node certificate (cert_file), its key (key_file) and the CA that signs peers (ca_file)',
      )
    if (!enabled && value !== undefined) warn(section.keyPath(key), 'ignored: tls.enabled is false')
  }
  const minVersion = section.rawValue('min_version')
  if (minVersion !== undefined && minVersion !== '1.3' && minVersion !== 'TLSv1.3' && minVersion !== 1.3) {
    const older = ['1.2', '1.1', '1.0', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'TLSv1.0', 1.2, 1.1, 1.0]
    throw new ConfigInvalidError(
      section.keyPath('min_version'),
      older.includes(minVersion as string)
        ? `${String(minVersion)} is below TLS 1.3; DWCP speaks TLS 1.3 only ("1.3")`
        : `expected "1.3" or "TLSv1.3", got ${describeValue(minVersion)}`,
    )
  }
  const cipherSuites = section.stringList('cipher_suites', (suite, keyPath) => {
    if (!TLS13_CIPHER_SUITES.includes(suite))
      throw new ConfigInvalidError(
        keyPath,
        `not a TLS 1.3 cipher suite: ${suite}${didYouMean(suite, TLS13_CIPHER_SUITES)}; known: ${TLS13_CIPHER_SUITES.join(', ')}`,
      )
  })
  return {
    enabled,
    ...optional('certFile', files.certFile),
    ...optional('keyFile', files.keyFile),
    ...optional('caFile', files.caFile),
    minVersion: 'TLSv1.3',
    ...optional('cipherSuites', cipherSuites),
  }
}

/**
 * Reads `authentication`. Mutual TLS is its only mechanism, so any authentication setting needs
 * `tls.enabled: true`; enabled TLS needs a non-empty `allowed_subjects` (`CN=*` admits every certificate the
 * CA signed), checked with the transport's own pattern grammar.
 */
export function readAuthentication(
  root: SectionReader,
  tls: TlsSettings | undefined,
  warn: Warn,
): AuthenticationConfig {
  const section = root.section('authentication')
  const mechanism = section.oneOf('mechanism', ['mutual_tls'] as const) ?? 'mutual_tls'
  const clientCertRequired = section.boolean('client_cert_required') ?? true
  const allowedSubjects = section.stringList('allowed_subjects') ?? []
  parseAllowedSubjects(allowedSubjects, section.keyPath('allowed_subjects'))
  if (root.has('authentication') && tls?.enabled !== true)
    throw new ConfigInvalidError(
      section.keyPath(section.has('mechanism') ? 'mechanism' : 'allowed_subjects'),
      'mutual_tls authentication needs tls.enabled: true',
    )
  if (tls?.enabled === true && allowedSubjects.length === 0)
    throw new ConfigInvalidError(
      section.keyPath('allowed_subjects'),
      'required when tls.enabled is true: the certificate subjects peers may present (e.g. "CN=node-*.datacenter.local"; "CN=*" admits any certificate the CA signed)',
    )
  if (!clientCertRequired)
    warn(section.keyPath('client_cert_required'), 'false: the accepting side does not authenticate peers')
  return { mechanism, clientCertRequired, allowedSubjects }
}

/** Reads `server`: the HTTP API. Binding beyond loopback without a token is allowed with a warning. */
export function readServer(root: SectionReader, warn: Warn): ServerConfig {
  const section = root.section('server')
  const httpPort = section.number('http_port', 1, 65535) ?? 8080
  const httpsPort = section.number('https_port', 1, 65535) ?? 8443
  if (httpPort === httpsPort)
    throw new ConfigInvalidError(section.keyPath('https_port'), `${httpsPort} is also server.http_port`)
  const bindAddress = section.string('bind_address') ?? '127.0.0.1'
  if (!isHost(bindAddress))
    throw new ConfigInvalidError(
      section.keyPath('bind_address'),
      `expected an IP address or host name, got ${describeValue(bindAddress)}`,
    )
  const authTokenFile = section.filePath('auth_token_file')
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(bindAddress)
  if (!loopback && authTokenFile === undefined)
    warn(
      section.keyPath('bind_address'),
      `${bindAddress} exposes the HTTP API beyond this host without auth_token_file`,
    )
  return { httpPort, httpsPort, bindAddress, ...optional('authTokenFile', authTokenFile) }
}

/** Reads `logging`. */
export function readLogging(root: SectionReader): LoggingConfig {
  const section = root.section('logging')
  const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
  return {
    level: section.oneOf('level', levels) ?? 'info',
    ...optional('file', section.filePath('file')),
  }
}
