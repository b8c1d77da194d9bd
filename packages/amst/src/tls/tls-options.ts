/**
 * TLS configuration (`tls.*` and `authentication.*` keys) turned into `node:tls` options for mutually
 * authenticated TLS 1.3: both sides present a certificate signed by the configured CA, nothing older than
 * TLS 1.3 is spoken, and plaintext happens only when the configuration says `enabled: false`.
 */

import { type ConnectionOptions, checkServerIdentity, getCiphers, type TlsOptions } from 'node:tls'
import { ConfigInvalidError, InvalidArgumentError } from '@dwcp/core'
import { loadPem, parseCertificates, parsePrivateKey } from './pem-material.js'
import { ALLOWED_SUBJECTS_KEY_PATH, parseAllowedSubjects, type SubjectPattern } from './subject-pattern.js'

/** The only TLS version DWCP speaks. */
export const TLS_VERSION = 'TLSv1.3'

/** TLS 1.3 cipher suites by their IANA names. */
export const TLS13_CIPHER_SUITES: readonly string[] = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
]

/** Spellings of TLS 1.3 accepted in `tls.min_version` (the runbook writes `"1.3"`). */
const TLS13_SPELLINGS = new Set(['TLSv1.3', '1.3'])

/** Spellings of older versions, refused with a reason rather than as unknown. */
const OLDER_VERSIONS = new Set(['TLSv1.2', '1.2', 'TLSv1.1', '1.1', 'TLSv1', 'TLSv1.0', '1.0', 'SSLv3'])

/** The `tls.*` and `authentication.*` settings, in camelCase. */
export interface TlsConfig {
  /** `tls.enabled`: whether connections use TLS. `false` asks for plaintext explicitly. */
  readonly enabled: boolean
  /** `tls.cert_file`: this node's certificate (chain), PEM. Give this or {@link TlsConfig.cert}. */
  readonly certFile?: string
  /** `tls.key_file`: this node's private key, PEM, unencrypted. Give this or {@link TlsConfig.key}. */
  readonly keyFile?: string
  /** `tls.ca_file`: the CA certificate(s) that sign peers, PEM. Give this or {@link TlsConfig.ca}. */
  readonly caFile?: string
  /** This node's certificate (chain) as a PEM string, instead of {@link TlsConfig.certFile}. */
  readonly cert?: string
  /** This node's private key as a PEM string, instead of {@link TlsConfig.keyFile}. */
  readonly key?: string
  /** The CA certificate(s) as a PEM string, instead of {@link TlsConfig.caFile}. */
  readonly ca?: string
  /**
   * `tls.min_version`: `TLSv1.3` or `1.3`; anything older is refused.
   * @default 'TLSv1.3'
   */
  readonly minVersion?: string
  /**
   * `tls.cipher_suites`: TLS 1.3 suites by IANA name, in order of preference.
   * @default Node's TLS 1.3 defaults: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256
   */
  readonly cipherSuites?: readonly string[]
  /**
   * `authentication.client_cert_required`: whether the accepting side demands a CA-signed client certificate.
   * With `false` the server does not ask for one, so it has nothing to pass to `authorizePeer`; the dialling
   * side still verifies the server.
   * @default true
   */
  readonly clientCertRequired?: boolean
  /**
   * `authentication.allowed_subjects`: certificate subjects accepted from peers, e.g.
   * `CN=node-*.datacenter.local`. Required (non-empty) when TLS is enabled; `CN=*` admits every certificate
   * the CA signed.
   * @default none: TLS configuration is refused until the list is given
   */
  readonly allowedSubjects?: readonly string[]
  /**
   * Whether a peer's node id must be named by its certificate (its CN or a DNS SAN, or the first label of one:
   * `node-1` for `CN=node-1.datacenter.local`). A peer claiming another id is refused and counted. Turn it off
   * only where every member shares one certificate.
   * @default true
   */
  readonly bindNodeId?: boolean
}

/** A {@link TlsConfig} checked and loaded once: PEM material read, allow-list parsed. */
export interface ResolvedTlsConfig {
  /** Marks a resolved configuration. */
  readonly kind: 'resolved-tls'
  /** This node's certificate (chain), PEM. */
  readonly cert: string
  /** This node's private key, PEM. */
  readonly key: string
  /** The CA certificate(s), PEM. */
  readonly ca: string
  /** OpenSSL cipher string of the configured TLS 1.3 suites, if configured. */
  readonly ciphers: string | undefined
  /** Whether the accepting side demands a client certificate. */
  readonly clientCertRequired: boolean
  /** The parsed `authentication.allowed_subjects`. */
  readonly allowList: readonly SubjectPattern[]
  /** Whether a peer's node id must be named by its certificate. */
  readonly bindNodeId: boolean
}

/** Options for {@link clientTlsOptions}. */
export interface ClientTlsInit {
  /**
   * Name to send as SNI and to require in the server certificate (SAN or CN). Without it the certificate is
   * still verified against the CA, and `authorizePeer` identifies the server by the allow-list.
   * @default undefined (no host-name check)
   */
  readonly servername?: string
}

function checkMinVersion(minVersion: unknown): void {
  if (minVersion === undefined || (typeof minVersion === 'string' && TLS13_SPELLINGS.has(minVersion))) return
  if (typeof minVersion === 'string' && OLDER_VERSIONS.has(minVersion))
    throw new ConfigInvalidError(
      'tls.min_version',
      `${minVersion} is below TLSv1.3; DWCP speaks TLS 1.3 only`,
    )
  throw new ConfigInvalidError(
    'tls.min_version',
    `unknown TLS version ${JSON.stringify(minVersion)} (use TLSv1.3)`,
  )
}

function cipherString(suites: readonly string[] | undefined): string | undefined {
  if (suites === undefined) return undefined
  if (!Array.isArray(suites) || suites.length === 0)
    throw new ConfigInvalidError('tls.cipher_suites', 'expected a non-empty list of TLS 1.3 cipher suites')
  const available = new Set(getCiphers())
  const names = suites.map((suite, index) => {
    const keyPath = `tls.cipher_suites[${index}]`
    const name = typeof suite === 'string' ? suite.toUpperCase() : ''
    if (!TLS13_CIPHER_SUITES.includes(name))
      throw new ConfigInvalidError(
        keyPath,
        `${JSON.stringify(suite)} is not a TLS 1.3 cipher suite (one of ${TLS13_CIPHER_SUITES.join(', ')})`,
      )
    if (!available.has(name.toLowerCase()))
      throw new ConfigInvalidError(keyPath, `${name} is not available in this build of OpenSSL`)
    return name
  })
  return [...new Set(names)].join(':')
}

/**
 * Checks `config` and loads what it names: version, cipher suites, certificate, key (and that they belong
 * together), CA and allow-list. Call once at start-up and pass the result to {@link serverTlsOptions} and
 * {@link clientTlsOptions} so that files are read once.
 *
 * @throws {@link InvalidArgumentError} when `config.enabled` is not true (there is nothing to resolve)
 * @throws {@link ConfigInvalidError} naming the key path (`tls.cert_file`, `tls.min_version`,
 *   `authentication.allowed_subjects[1]`…) of the first bad setting
 */
export function resolveTlsConfig(config: TlsConfig | ResolvedTlsConfig): ResolvedTlsConfig {
  if ('kind' in config && config.kind === 'resolved-tls') return config
  const tls = config as TlsConfig
  if (tls.enabled !== true)
    throw new InvalidArgumentError('config', 'TLS options requested but tls.enabled is not true')
  checkMinVersion(tls.minVersion)
  const ciphers = cipherString(tls.cipherSuites)
  if (tls.bindNodeId !== undefined && typeof tls.bindNodeId !== 'boolean')
    throw new ConfigInvalidError('tls.bindNodeId', 'must be a boolean')
  if (tls.clientCertRequired !== undefined && typeof tls.clientCertRequired !== 'boolean')
    throw new ConfigInvalidError('authentication.client_cert_required', 'expected true or false')
  if (tls.allowedSubjects === undefined || tls.allowedSubjects.length === 0)
    throw new ConfigInvalidError(
      ALLOWED_SUBJECTS_KEY_PATH,
      'required when tls.enabled is true: list the accepted subjects (CN=* admits any certificate the CA signed)',
    )
  const allowList = parseAllowedSubjects(tls.allowedSubjects)
  const cert = loadPem({
    file: tls.certFile,
    inline: tls.cert,
    fileKeyPath: 'tls.cert_file',
    inlineKeyPath: 'tls.cert',
  })
  const key = loadPem({
    file: tls.keyFile,
    inline: tls.key,
    fileKeyPath: 'tls.key_file',
    inlineKeyPath: 'tls.key',
  })
  const ca = loadPem({
    file: tls.caFile,
    inline: tls.ca,
    fileKeyPath: 'tls.ca_file',
    inlineKeyPath: 'tls.ca',
  })
  const [leaf] = parseCertificates(cert)
  const privateKey = parsePrivateKey(key)
  if (!leaf!.checkPrivateKey(privateKey))
    throw new ConfigInvalidError(
      key.keyPath,
      `the private key does not belong to the certificate in ${cert.keyPath}`,
    )
  parseCertificates(ca)
  return {
    kind: 'resolved-tls',
    cert: cert.pem,
    key: key.pem,
    ca: ca.pem,
    ciphers,
    clientCertRequired: tls.clientCertRequired ?? true,
    allowList,
    bindNodeId: tls.bindNodeId ?? true,
  }
}

/**
 * Options for `tls.createServer`: TLS 1.3 only, this node's certificate, and (unless
 * `clientCertRequired: false`) a client certificate demanded and verified against the CA. After
 * `secureConnection`, pass the socket to `authorizePeer` to apply the allow-list.
 *
 * @throws {@link ConfigInvalidError} / {@link InvalidArgumentError} as {@link resolveTlsConfig}
 */
export function serverTlsOptions(config: TlsConfig | ResolvedTlsConfig): TlsOptions {
  const resolved = resolveTlsConfig(config)
  return {
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    cert: resolved.cert,
    key: resolved.key,
    ca: resolved.ca,
    ...(resolved.ciphers === undefined ? {} : { ciphers: resolved.ciphers }),
    requestCert: resolved.clientCertRequired,
    rejectUnauthorized: resolved.clientCertRequired,
  }
}

/**
 * Options for `tls.connect` (add `host` and `port`): TLS 1.3 only, this node's certificate as the client
 * certificate, and the server's certificate verified against the CA. After `secureConnect`, pass the socket to
 * `authorizePeer`: with no `servername`, the allow-list is what identifies the server.
 *
 * @throws {@link ConfigInvalidError} / {@link InvalidArgumentError} as {@link resolveTlsConfig}
 */
export function clientTlsOptions(
  config: TlsConfig | ResolvedTlsConfig,
  init: ClientTlsInit = {},
): ConnectionOptions {
  const resolved = resolveTlsConfig(config)
  const { servername } = init
  return {
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    cert: resolved.cert,
    key: resolved.key,
    ca: resolved.ca,
    ...(resolved.ciphers === undefined ? {} : { ciphers: resolved.ciphers }),
    rejectUnauthorized: true,
    ...(servername === undefined
      ? { checkServerIdentity: () => undefined }
      : { servername, checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert) }),
  }
}

/**
 * Decides between TLS and plaintext without guessing: plaintext must be asked for with `enabled: false`.
 *
 * @returns `true` when TLS is enabled, `false` when plaintext was asked for explicitly
 * @throws {@link ConfigInvalidError} (key path `tls` or `tls.enabled`) when there is no TLS configuration at
 *   all, or `enabled` is not a boolean
 */
export function requirePlaintextExplicit(
  config: TlsConfig | null | undefined,
): config is TlsConfig & { enabled: true } {
  if (config === undefined || config === null)
    throw new ConfigInvalidError(
      'tls',
      'no TLS configuration: configure TLS, or set tls.enabled: false for plaintext',
    )
  if (typeof config.enabled !== 'boolean')
    throw new ConfigInvalidError(
      'tls.enabled',
      `expected true or false, got ${JSON.stringify(config.enabled)}`,
    )
  return config.enabled
}
