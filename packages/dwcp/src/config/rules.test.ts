import { describe, expect, it } from 'vitest'
import { parseConfig } from './load-config.js'
import { expectConfigError } from './test-fixtures/expect-config-error.js'

const TLS_OFF = 'tls:\n  enabled: false\n'

/** Four internet members on tcp, with `extra` appended to each entry. */
function internetMembers(extra = (_id: string) => ''): string {
  return ['a', 'b', 'c', 'd']
    .map((id, i) => `    - { id: ${id}, address: "tcp://10.0.0.${i + 1}"${extra(id)} }\n`)
    .join('')
}

/** An internet config for node `a` with the four members, key files and `extra` YAML. */
function internet(extra = '', keys = true): string {
  return `mode: internet\n${TLS_OFF}${keys ? 'consensus:\n  private_key_file: /k/a.key\n' : ''}cluster:\n  node_id: a\n  members:\n${internetMembers(
    keys ? (id) => `, public_key_file: /k/${id}.pub` : undefined,
  )}${extra}`
}

describe('every key takes effect or is refused with the reason', () => {
  it('transport: hybrid mode refuses the per-path keys; rdma_device needs ucx://; tcp_streams ≤ streams', () => {
    for (const key of ['streams: 4', 'tcp_streams: 4', 'congestion_algorithm: cubic'])
      expectConfigError(
        () => parseConfig(`mode: hybrid\ntransport:\n  ${key}\n`),
        `transport.${key.split(':')[0]}`,
        /not supported in hybrid mode by this release: each path takes the streams and congestion control of its class/,
      )
    expect(parseConfig('mode: hybrid\ntransport:\n  pacing_enabled: false\n').transport.pacingEnabled).toBe(
      false,
    )
    expectConfigError(
      () =>
        parseConfig(
          `mode: datacenter\n${TLS_OFF}transport:\n  rdma_device: mlx5_0\ncluster:\n  listen: [tcp://10.0.0.1]\n`,
        ),
      'transport.rdma_device',
      /used by the UCX transport only, and cluster.listen has no ucx:\/\/ address/,
    )
    const ucx = parseConfig(
      `mode: datacenter\n${TLS_OFF}transport:\n  rdma_device: mlx5_0\ncluster:\n  listen: [ucx://10.0.0.1]\n`,
    )
    expect(ucx.transport.rdmaDevice).toBe('mlx5_0')
    expectConfigError(
      () => parseConfig('mode: internet\ntransport:\n  streams: 8\n  tcp_streams: 16\n'),
      'transport.tcp_streams',
      /16 exceeds transport.streams 8, the most streams a session may use/,
    )
    expect(parseConfig('mode: internet\ntransport:\n  tcp_streams: 16\n').transport).toMatchObject({
      streams: 16,
      tcpStreams: 16,
    })
  })

  it('compression: ml_enabled needs a codec to choose up to; hybrid always chooses', () => {
    expectConfigError(
      () => parseConfig('mode: datacenter\ncompression:\n  ml_enabled: true\n'),
      'compression.ml_enabled',
      /lz4 has no per-chunk choice in this release/,
    )
    expectConfigError(
      () => parseConfig('mode: hybrid\ncompression:\n  ml_enabled: false\n'),
      'compression.ml_enabled',
      /hybrid mode always chooses per chunk/,
    )
    expect(
      parseConfig('mode: datacenter\ncompression:\n  algorithm: zstd\n  level: 9\n  ml_enabled: true\n')
        .compression,
    ).toEqual({ algorithm: 'zstd', level: 9, mlEnabled: true })
  })

  it('prediction: sequence_length must be the history the shipped model reads', () => {
    expectConfigError(
      () => parseConfig('mode: datacenter\nprediction:\n  sequence_length: 20\n'),
      'prediction.sequence_length',
      /the shipped datacenter model reads 10 samples; another history needs a model trained for it/,
    )
    expectConfigError(
      () => parseConfig('mode: internet\nprediction:\n  model: datacenter\n  sequence_length: 60\n'),
      'prediction.sequence_length',
      /datacenter model reads 10 samples/,
    )
    expect(parseConfig('mode: hybrid\nprediction:\n  sequence_length: 60\n').prediction.sequenceLength).toBe(
      60,
    )
  })

  it('sync: each timeout is refused where its mechanism does not run', () => {
    expectConfigError(
      () => parseConfig('mode: internet\nsync:\n  timeout: 100ms\n'),
      'sync.timeout',
      /the deadline of Raft state operations; crdt writes apply locally/,
    )
    expectConfigError(
      () => parseConfig('mode: datacenter\nsync:\n  convergence_timeout: 30s\n'),
      'sync.convergence_timeout',
      /applies to crdt; raft state is linearizable/,
    )
    expectConfigError(
      () => parseConfig('mode: hybrid\nsync:\n  convergence_timeout: 30s\n'),
      'sync.convergence_timeout',
      /not supported in hybrid mode by this release: the across-site CRDT is not built/,
    )
    expectConfigError(
      () => parseConfig('mode: hybrid\nconsensus:\n  mechanism: pbft\n'),
      'consensus.mechanism',
      /pbft is not supported in hybrid mode by this release/,
    )
  })

  it('PBFT: its key files are required with members and refused without PBFT', () => {
    const config = parseConfig(internet())
    expect(config.consensus.privateKeyFile).toBe('/k/a.key')
    expect(config.cluster.members[3]?.publicKeyFile).toBe('/k/d.pub')
    expectConfigError(
      () => parseConfig(internet('', false)),
      'consensus.private_key_file',
      /required with PBFT and cluster.members/,
    )
    expectConfigError(
      () =>
        parseConfig(
          `mode: internet\n${TLS_OFF}consensus:\n  private_key_file: /k/a.key\ncluster:\n  node_id: a\n  members:\n${internetMembers((id) => (id === 'c' ? '' : `, public_key_file: /k/${id}.pub`))}`,
        ),
      'cluster.members[2].public_key_file',
      /required with PBFT/,
    )
    expectConfigError(
      () => parseConfig('mode: datacenter\nconsensus:\n  private_key_file: /k/a.key\n'),
      'consensus.private_key_file',
      /used by PBFT only/,
    )
    expectConfigError(
      () =>
        parseConfig(
          'mode: datacenter\ncluster:\n  node_id: a\n  members:\n    - { id: a, address: "memory://a", public_key_file: /k/a.pub }\n',
        ),
      'cluster.members[0].public_key_file',
      /used by PBFT only/,
    )
  })

  it('cluster: internet mode cannot be joined; hybrid runs Raft in one site unless Raft across is asked for', () => {
    expectConfigError(
      () => parseConfig(internet().replace('  node_id: a\n', '  node_id: e\n  joining: true\n')),
      'cluster.joining',
      /internet mode has no membership change in this release/,
    )
    const sites = (consensus: string) =>
      `mode: hybrid\n${consensus}${TLS_OFF}cluster:\n  node_id: a\n  members:\n    - { id: a, address: "tcp://10.0.0.1", region: us-west-2 }\n    - { id: b, address: "tcp://10.0.0.2", region: us-west-2 }\n    - { id: c, address: "tcp://10.1.0.3", region: eu-west-1 }\n`
    expectConfigError(
      () => parseConfig(sites('')),
      'cluster.members',
      /span 2 sites \(us-west-2, eu-west-1\), and the across-site part of hybrid mode .* is not built in this release/,
    )
    const across = parseConfig(sites('consensus:\n  mechanism: raft\n'))
    expect(across.consensus).toMatchObject({ mechanism: 'raft', replicaCount: 3 })
  })

  it('resources: connections_max below the other members would keep the cluster from forming', () => {
    expectConfigError(
      () => parseConfig(internet('resources:\n  network:\n    connections_max: 2\n')),
      'resources.network.connections_max',
      /2 is below the 3 other members of cluster.members/,
    )
    expect(
      parseConfig(internet().replace('cluster:', 'resources:\n  network:\n    connections_max: 3\ncluster:'))
        .resources.network.connectionsMax,
    ).toBe(3)
  })

  it('tls: keys that plaintext would not read are refused', () => {
    for (const key of ['cert_file: /c', 'min_version: "1.3"', 'cipher_suites: [TLS_AES_128_GCM_SHA256]'])
      expectConfigError(
        () => parseConfig(`mode: datacenter\ntls:\n  enabled: false\n  ${key}\n`),
        `tls.${key.split(':')[0]}`,
        /not used while tls.enabled is false/,
      )
  })

  it('consensus: election_timeout is also PBFT’s view-change timeout', () => {
    expect(
      parseConfig(internet().replace('consensus:\n', 'consensus:\n  election_timeout: 2s\n')).consensus,
    ).toMatchObject({ mechanism: 'pbft', electionTimeoutMs: 2000 })
  })
})
