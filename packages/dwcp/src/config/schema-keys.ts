/**
 * Every key a config may hold, with the kind of value it takes. This one table drives the unknown-key check
 * (with its "did you mean") and the typing of `dwcp config set k=v`; the validators read the same keys.
 */

/** The kind of value a key takes, as written in YAML. */
export type KeyKind =
  | 'section'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'duration'
  | 'size'
  | 'rate'
  | 'string-list'
  | 'member-list'

/** Key path (dotted, as in YAML) → kind. Sections are listed so that their children can be found. */
export const CONFIG_KEYS: Readonly<Record<string, KeyKind>> = Object.freeze({
  mode: 'string',
  transport: 'section',
  'transport.rdma_device': 'string',
  'transport.streams': 'integer',
  'transport.tcp_streams': 'integer',
  'transport.congestion_algorithm': 'string',
  'transport.pacing_enabled': 'boolean',
  compression: 'section',
  'compression.algorithm': 'string',
  'compression.level': 'integer',
  'compression.ml_enabled': 'boolean',
  prediction: 'section',
  'prediction.model': 'string',
  'prediction.sequence_length': 'integer',
  sync: 'section',
  'sync.mechanism': 'string',
  'sync.timeout': 'duration',
  'sync.convergence_timeout': 'duration',
  consensus: 'section',
  'consensus.mechanism': 'string',
  'consensus.election_timeout': 'duration',
  'consensus.replica_count': 'integer',
  resources: 'section',
  'resources.cpu': 'section',
  'resources.cpu.limit': 'number',
  'resources.cpu.reservation': 'number',
  'resources.memory': 'section',
  'resources.memory.limit': 'size',
  'resources.memory.reservation': 'size',
  'resources.memory.ml_cache': 'size',
  'resources.memory.compression_buffer': 'size',
  'resources.network': 'section',
  'resources.network.bandwidth_limit': 'rate',
  'resources.network.connections_max': 'integer',
  tls: 'section',
  'tls.enabled': 'boolean',
  'tls.cert_file': 'string',
  'tls.key_file': 'string',
  'tls.ca_file': 'string',
  'tls.min_version': 'string',
  'tls.cipher_suites': 'string-list',
  authentication: 'section',
  'authentication.mechanism': 'string',
  'authentication.client_cert_required': 'boolean',
  'authentication.allowed_subjects': 'string-list',
  server: 'section',
  'server.http_port': 'integer',
  'server.https_port': 'integer',
  'server.bind_address': 'string',
  'server.auth_token_file': 'string',
  cluster: 'section',
  'cluster.node_id': 'string',
  'cluster.cluster_id': 'string',
  'cluster.data_dir': 'string',
  'cluster.listen': 'string-list',
  'cluster.joining': 'boolean',
  'cluster.members': 'member-list',
  logging: 'section',
  'logging.level': 'string',
  'logging.file': 'string',
})

/** Keys of one `cluster.members[]` entry. */
export const MEMBER_KEYS: readonly string[] = Object.freeze(['id', 'address', 'region'])

/**
 * Section names the runbook's CLI examples use for a section of this schema: `dwcp config set
 * hde.ml_enabled=true` means `compression.ml_enabled` (HDE is the compression component).
 */
export const SECTION_ALIASES: Readonly<Record<string, string>> = Object.freeze({ hde: 'compression' })

/** The direct child key names of `sectionPath` ('' for the top level). */
export function childKeys(sectionPath: string): string[] {
  const prefix = sectionPath === '' ? '' : `${sectionPath}.`
  return Object.keys(CONFIG_KEYS)
    .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('.'))
    .map((path) => path.slice(prefix.length))
}

/** Joins a section path and a key: `joinPath('transport', 'streams')` → `transport.streams`. */
export function joinPath(sectionPath: string, key: string): string {
  return sectionPath === '' ? key : `${sectionPath}.${key}`
}
