import { describe, expect, it } from 'vitest'
import { parseConfig } from './load-config.js'
import { expectConfigError } from './test-fixtures/expect-config-error.js'

/** A datacenter config with `extra` appended. */
const dc = (extra: string) => `mode: datacenter\n${extra}`
const TLS_ON = 'tls:\n  enabled: true\n  cert_file: /c.crt\n  key_file: /c.key\n  ca_file: /ca.crt\n'

/** [name, yaml, key path, reason] */
const CASES: readonly (readonly [string, string, string, RegExp])[] = [
  ['unknown top-level key', dc('telemetry: {}\n'), 'telemetry', /unknown key; known keys: mode, transport/],
  [
    'typo with suggestion',
    dc('transport:\n  stream: 8\n'),
    'transport.stream',
    /unknown key \(did you mean streams\?\)/,
  ],
  ['typo of a section', dc('consensos:\n  mechanism: raft\n'), 'consensos', /did you mean consensus\?/],
  [
    'wrong type',
    dc('transport:\n  streams: "eight"\n'),
    'transport.streams',
    /expected an integer in 1\.\.512, got the string "eight"/,
  ],
  [
    'boolean spelled yes',
    dc('transport:\n  pacing_enabled: yes\n'),
    'transport.pacing_enabled',
    /expected true or false, got the string "yes"/,
  ],
  [
    'negative duration',
    dc('sync:\n  timeout: -100ms\n'),
    'sync.timeout',
    /must not be negative, got "-100ms"/,
  ],
  [
    'duration without unit',
    dc('consensus:\n  election_timeout: 150\n'),
    'consensus.election_timeout',
    /missing unit.*bare number 150/,
  ],
  [
    'rate typo',
    dc('resources:\n  network:\n    bandwidth_limit: 10Gbs\n'),
    'resources.network.bandwidth_limit',
    /unknown unit "Gbs" in "10Gbs" \(did you mean Gbps\?\)/,
  ],
  [
    'size without unit',
    dc('resources:\n  memory:\n    limit: 32\n'),
    'resources.memory.limit',
    /missing unit.*bare number 32/,
  ],
  [
    'streams 0',
    dc('transport:\n  streams: 0\n'),
    'transport.streams',
    /expected an integer in 1\.\.512, got 0/,
  ],
  [
    'streams 513',
    dc('transport:\n  streams: 513\n'),
    'transport.streams',
    /expected an integer in 1\.\.512, got 513/,
  ],
  [
    'replica_count 5 for pbft',
    'mode: internet\nconsensus:\n  replica_count: 5\n',
    'consensus.replica_count',
    /pbft needs 3f\+1 replicas \(4, 7, 10, …\).*got 5/,
  ],
  [
    'unknown algorithm',
    dc('compression:\n  algorithm: brotli\n'),
    'compression.algorithm',
    /expected one of lz4, zstd, zstd-max, got the string "brotli"/,
  ],
  [
    'algorithm typo',
    dc('compression:\n  algorithm: zstd_max\n'),
    'compression.algorithm',
    /did you mean zstd-max\?/,
  ],
  [
    'level out of range for lz4',
    dc('compression:\n  algorithm: lz4\n  level: 9\n'),
    'compression.level',
    /lz4 has a single level, 1, got 9/,
  ],
  [
    'level for zstd',
    dc('compression:\n  algorithm: zstd\n  level: 23\n'),
    'compression.level',
    /zstd takes 1\.\.22 \(its fast levels -128\.\.-1 are not supported by this release\), got 23/,
  ],
  [
    'fast level for zstd',
    dc('compression:\n  algorithm: zstd\n  level: -5\n'),
    'compression.level',
    /zstd takes 1\.\.22 .*, got -5/,
  ],
  [
    'tls enabled without files',
    dc('tls:\n  enabled: true\n'),
    'tls.cert_file',
    /required when tls\.enabled is true/,
  ],
  [
    'tls enabled without key',
    dc('tls:\n  enabled: true\n  cert_file: /c.crt\n'),
    'tls.key_file',
    /required when tls\.enabled is true/,
  ],
  [
    'tls without enabled',
    dc('tls:\n  cert_file: /c.crt\n'),
    'tls.enabled',
    /required when a tls section is present/,
  ],
  ['tls 1.2', dc(`${TLS_ON}  min_version: "1.2"\n`), 'tls.min_version', /below TLS 1\.3/],
  [
    'tls enabled without subjects',
    dc(TLS_ON),
    'authentication.allowed_subjects',
    /required when tls\.enabled is true/,
  ],
  [
    'authentication without tls',
    dc('authentication:\n  mechanism: mutual_tls\n'),
    'authentication.mechanism',
    /needs tls\.enabled: true/,
  ],
  [
    'bad cipher suite',
    dc(`${TLS_ON}  cipher_suites: [TLS_AES_256_GCM_SHA385]\n`),
    'tls.cipher_suites[0]',
    /did you mean TLS_AES_256_GCM_SHA384\?/,
  ],
  [
    'duplicate key',
    dc('transport:\n  streams: 8\n  streams: 16\n'),
    'transport.streams',
    /duplicate key: defined at <config>:3:3 and again at <config>:4:3/,
  ],
  [
    'bad indentation',
    dc('transport:\n    streams: 8\n  tcp_streams: 4\n'),
    'transport.streams',
    /YAML syntax error at <config>:4:1: All mapping items must start at the same column/,
  ],
  [
    'over-indented key',
    dc('transport:\n  streams: 8\n   congestion_algorithm: bbr\n'),
    'transport.streams',
    /YAML syntax error at <config>:3:12: /,
  ],
  [
    'tab indentation',
    dc('transport:\n\tstreams: 8\n'),
    'transport',
    /YAML syntax error at <config>:3:1: Tabs are not allowed/,
  ],
  [
    'unclosed flow',
    dc('cluster:\n  listen: [tcp://a:1\n'),
    'cluster.listen[0]',
    /YAML syntax error at <config>:4:\d+: /,
  ],
  [
    'member with a duplicate id',
    dc(
      'tls:\n  enabled: false\ncluster:\n  node_id: a\n  members:\n    - { id: a, address: "tcp://10.0.0.1:5000" }\n    - { id: b, address: "tcp://10.0.0.2:5000" }\n    - { id: a, address: "tcp://10.0.0.3:5000" }\n',
    ),
    'cluster.members[2].id',
    /duplicate of cluster\.members\[0\]\.id \("a"\)/,
  ],
  [
    'member with a bad address',
    dc('cluster:\n  node_id: a\n  members:\n    - { id: a, address: "10.0.0.1:5000" }\n'),
    'cluster.members[0].address',
    /expected scheme:\/\/host:port/,
  ],
  [
    'invalid port',
    dc('server:\n  http_port: 70000\n'),
    'server.http_port',
    /expected an integer in 1\.\.65535, got 70000/,
  ],
  [
    'invalid port in an address',
    dc('tls:\n  enabled: false\ncluster:\n  listen: ["tcp://10.0.0.1:99999"]\n'),
    'cluster.listen[0]',
    /port 99999 is outside 1\.\.65535/,
  ],
  [
    'raft in internet mode',
    'mode: internet\nconsensus:\n  mechanism: raft\n',
    'consensus.mechanism',
    /raft is not allowed in internet mode/,
  ],
  [
    'pbft in datacenter mode',
    dc('consensus:\n  mechanism: pbft\nsync:\n  mechanism: raft\n'),
    'consensus.mechanism',
    /pbft is not supported in datacenter mode by this release: datacenter nodes keep state and consensus with Raft/,
  ],
  [
    'crdt in datacenter mode',
    dc('sync:\n  mechanism: crdt\n'),
    'sync.mechanism',
    /crdt is not supported in datacenter mode by this release/,
  ],
  [
    'network listen without tls',
    dc('cluster:\n  listen: ["tcp://0.0.0.0:5000"]\n'),
    'tls',
    /set tls\.enabled: true .* or tls\.enabled: false/,
  ],
  [
    'node not among members',
    dc('cluster:\n  node_id: z\n  members:\n    - { id: a, address: "memory://a" }\n'),
    'cluster.node_id',
    /z is not in cluster\.members/,
  ],
  [
    'replica_count disagrees with members',
    dc(
      'consensus:\n  replica_count: 3\ncluster:\n  node_id: a\n  members:\n    - { id: a, address: "memory://a" }\n',
    ),
    'consensus.replica_count',
    /3 does not match the 1 entries/,
  ],
  [
    'a resource limit this release cannot enforce',
    dc('resources:\n  memory:\n    limit: 8GiB\n'),
    'resources.memory.limit',
    /not supported by this release: DWCP does not bound its own use of it/,
  ],
  ['missing mode', 'transport:\n  streams: 8\n', 'mode', /required: datacenter, internet or hybrid/],
  [
    'unknown mode',
    'mode: lan\n',
    'mode',
    /expected one of datacenter, internet, hybrid, got the string "lan"/,
  ],
  ['root is a list', '- mode: datacenter\n', '(root)', /expected a map of keys, got a list/],
  [
    'unknown key in a member',
    dc('cluster:\n  node_id: a\n  members:\n    - { id: a, adress: "memory://a" }\n'),
    'cluster.members[0].adress',
    /did you mean address\?/,
  ],
]

describe('malformed configs', () => {
  it.each(CASES)('%s', (_name, yaml, keyPath, reason) => {
    expectConfigError(() => parseConfig(yaml), keyPath, reason)
  })

  it('puts the key path and reason in the message and the stable code on the error', () => {
    try {
      parseConfig(dc('transport:\n  streams: 0\n'))
      expect.unreachable()
    } catch (error) {
      expect((error as Error).message).toBe('config transport.streams: expected an integer in 1..512, got 0')
      expect((error as { code: string }).code).toBe('DWCP_ERR_CONFIG_INVALID')
    }
  })
})
