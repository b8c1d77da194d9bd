import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MODE_DEFAULTS } from '../mode-defaults.js'
import { loadConfigFile, loadConfigFiles, mergeDocuments, parseConfig } from './load-config.js'
import {
  deployConfig,
  expectConfigError,
  expectConfigErrorAsync,
} from './test-fixtures/expect-config-error.js'
import { validateConfig } from './validate-config.js'

/** production.yaml followed by a mode file, as the service runs them. */
const withProduction = (modeFile: string) =>
  loadConfigFiles([deployConfig('production.yaml'), deployConfig(modeFile)])

describe('the runbook examples in deploy/configs', () => {
  it('production.yaml + datacenter.yaml: the runbook tuning, a Raft cluster over RDMA, the preset for the rest', async () => {
    const config = await withProduction('datacenter.yaml')
    expect(config.mode).toBe('datacenter')
    expect(config.transport).toEqual({
      rdmaDevice: 'mlx5_0',
      streams: 512,
      tcpStreams: 512,
      congestionAlgorithm: 'cubic',
      pacingEnabled: MODE_DEFAULTS.datacenter.transport.pacing,
    })
    expect(config.compression).toEqual({ algorithm: 'lz4', level: 1, mlEnabled: false })
    expect(config.sync).toMatchObject({ mechanism: 'raft', timeoutMs: 100 })
    expect(config.consensus).toEqual({ mechanism: 'raft', electionTimeoutMs: 150, replicaCount: 3 })
    expect(config.cluster.members.map((member) => member.id)).toEqual(['node-1', 'node-2', 'node-3'])
    expect(config.cluster.listen).toEqual(['ucx://0.0.0.0:4789'])
    expect(config.warnings).toEqual([])
    expect(Object.isFrozen(config.transport)).toBe(true)
  })

  it('production.yaml + internet.yaml: CRDT state and PBFT among four members with their key files', async () => {
    const config = await withProduction('internet.yaml')
    expect(config.transport).toMatchObject({ tcpStreams: 8, congestionAlgorithm: 'bbr', pacingEnabled: true })
    expect(config.compression).toEqual({ algorithm: 'zstd-max', mlEnabled: true })
    expect(config.prediction).toEqual({ model: 'internet', sequenceLength: 60 })
    expect(config.sync).toMatchObject({ mechanism: 'crdt', convergenceTimeoutMs: 30_000 })
    expect(config.consensus).toEqual({
      mechanism: 'pbft',
      electionTimeoutMs: 1000,
      replicaCount: 4,
      privateKeyFile: '/etc/dwcp/keys/pbft.key',
    })
    expect(config.cluster.members.map((member) => member.publicKeyFile)).toEqual(
      [1, 2, 3, 4].map((n) => `/etc/dwcp/keys/node-${n}.pub`),
    )
    expect(config.warnings).toEqual([])
  })

  it('production.yaml + hybrid.yaml: Raft among the members of one site', async () => {
    const config = await withProduction('hybrid.yaml')
    expect(config.mode).toBe('hybrid')
    expect(config.consensus).toMatchObject({ mechanism: 'raft-in-site-pbft-across', replicaCount: 3 })
    expect(config.sync).toMatchObject({ mechanism: 'raft-in-site-crdt-across', timeoutMs: 1000 })
    expect(new Set(config.cluster.members.map((member) => member.region))).toEqual(new Set(['us-west-2']))
    expect(config.warnings).toEqual([])
  })

  it('production.yaml holds what every mode shares: resources, TLS, the API, identity and logging', async () => {
    const config = await withProduction('datacenter.yaml')
    expect(config.resources).toEqual({ network: { connectionsMax: 10_000 } })
    expect(config.tls).toMatchObject({
      enabled: true,
      minVersion: 'TLSv1.3',
      caFile: '/etc/dwcp/certs/ca.crt',
    })
    expect(config.authentication.allowedSubjects).toHaveLength(2)
    expect(config.server).toMatchObject({ httpPort: 8080, httpsPort: 8443, bindAddress: '0.0.0.0' })
    expect(config.cluster).toMatchObject({
      nodeId: 'node-1',
      clusterId: 'production',
      dataDir: '/var/lib/dwcp',
    })
    expect(config.logging).toEqual({ level: 'info', file: '/var/log/dwcp/dwcp.log' })
  })

  it('mode file + resources.yaml + security.yaml merge as the runbook splits them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dwcp-config-'))
    const identity = join(dir, 'node.yaml')
    await writeFile(identity, 'cluster:\n  node_id: node-2\n  cluster_id: production\n')
    try {
      const files = [...['internet.yaml', 'resources.yaml', 'security.yaml'].map(deployConfig), identity]
      const config = await loadConfigFiles(files)
      expect(config.sources).toEqual(files)
      expect(config.resources.network.connectionsMax).toBe(10_000)
      expect(config.tls?.cipherSuites).toEqual(['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'])
      expect(config.consensus.mechanism).toBe('pbft')
      expect(config.cluster.nodeId).toBe('node-2')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a fragment alone is missing its mode', async () => {
    for (const file of ['resources.yaml', 'production.yaml'])
      await expectConfigErrorAsync(() => loadConfigFile(deployConfig(file)), 'mode', /required/)
  })

  it('refuses the runbook resource limits this release cannot enforce, with the reason', () => {
    const cases = [
      ['cpu:\n    limit: 16', 'resources.cpu.limit', /not supported by this release: .*CPUQuota=/],
      [
        'cpu:\n    reservation: 8',
        'resources.cpu.reservation',
        /not supported by this release: .*CPUWeight=/,
      ],
      ['memory:\n    limit: 32GB', 'resources.memory.limit', /not supported by this release: .*MemoryMax=/],
      ['memory:\n    reservation: 16GB', 'resources.memory.reservation', /MemoryLow=/],
      ['memory:\n    ml_cache: 4GB', 'resources.memory.ml_cache', /no cache to bound/],
      ['memory:\n    compression_buffer: 2GB', 'resources.memory.compression_buffer', /no shared buffer/],
      [
        'network:\n    bandwidth_limit: 10Gbps',
        'resources.network.bandwidth_limit',
        /no node-wide rate limiter/,
      ],
    ] as const
    for (const [yaml, keyPath, reason] of cases)
      expectConfigError(() => parseConfig(`mode: datacenter\nresources:\n  ${yaml}\n`), keyPath, reason)
    // The value is still checked first: a typo in it is reported as a typo, not as the refusal.
    expectConfigError(
      () => parseConfig('mode: datacenter\nresources:\n  memory:\n    limit: 32\n'),
      'resources.memory.limit',
      /missing unit/,
    )
  })
})

describe('merging several files', () => {
  it('lets a later file override an earlier one key by key, lists whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dwcp-config-'))
    const a = join(dir, 'config.yaml')
    const b = join(dir, 'override.yaml')
    await writeFile(
      a,
      'mode: datacenter\ntransport:\n  streams: 16\n  tcp_streams: 4\nauthentication:\n  allowed_subjects: [CN=a, CN=b]\ntls:\n  enabled: true\n  cert_file: /c\n  key_file: /k\n  ca_file: /ca\n',
    )
    await writeFile(b, 'transport:\n  tcp_streams: 8\nauthentication:\n  allowed_subjects: [CN=c]\n')
    try {
      const config = await loadConfigFiles([a, b])
      expect(config.transport).toMatchObject({ streams: 16, tcpStreams: 8 })
      expect(config.authentication.allowedSubjects).toEqual(['CN=c'])
      expect(config.raw).toMatchObject({ transport: { streams: 16, tcp_streams: 8 } })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("takes a later file's null as removing the key, and reports a first file's null as a key without a value", () => {
    const merged = mergeDocuments([
      { source: 'a.yaml', data: { mode: 'datacenter', transport: { rdma_device: 'mlx5_0', streams: 16 } } },
      {
        source: 'b.yaml',
        data: { transport: { rdma_device: null }, logging: { level: 'warn', file: null } },
      },
    ])
    expect(merged).toEqual({ mode: 'datacenter', transport: { streams: 16 }, logging: { level: 'warn' } })
    expectConfigError(
      () =>
        validateConfig(
          mergeDocuments([{ source: 'a.yaml', data: { mode: 'datacenter', sync: { timeout: null } } }]),
        ),
      'sync.timeout',
      /has no value \(remove the key to take the default\)/,
    )
  })

  it('keeps a __proto__ key a plain key, then rejects it', () => {
    const merged = mergeDocuments([
      { source: 'a.yaml', data: JSON.parse('{"mode": "datacenter", "__proto__": {"polluted": true}}') },
      { source: 'b.yaml', data: JSON.parse('{"__proto__": {"also": true}}') },
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
    expectConfigError(() => validateConfig(merged), '__proto__', /unknown key/)
    expectConfigError(
      () => parseConfig('mode: datacenter\ntransport:\n  __proto__: {streams: 9}\n'),
      'transport.__proto__',
      /unknown key/,
    )
  })

  it('reports a missing file', async () => {
    await expectConfigErrorAsync(
      () => loadConfigFile(deployConfig('absent.yaml')),
      '(root)',
      /cannot read absent\.yaml.*ENOENT/,
    )
  })
})

describe('mode presets', () => {
  it.each(['datacenter', 'internet', 'hybrid'] as const)('fills %s defaults from MODE_DEFAULTS', (mode) => {
    const preset = MODE_DEFAULTS[mode]
    const config = parseConfig(`mode: ${mode}\n`)
    expect(config.transport).toEqual({
      streams: preset.transport.streams,
      tcpStreams: preset.transport.streams,
      congestionAlgorithm: preset.transport.congestion,
      pacingEnabled: preset.transport.pacing,
    })
    expect(config.compression.algorithm).toBe(preset.compression.algorithm)
    expect(config.prediction).toEqual({
      model: preset.prediction.model,
      sequenceLength: preset.prediction.historySamples,
    })
    expect(config.sync.mechanism).toBe(preset.sync.mechanism)
    expect(config.sync.convergenceTimeoutMs).toBe(preset.sync.convergenceTimeoutMs)
    expect(config.consensus).toEqual({
      mechanism: preset.consensus.mechanism,
      electionTimeoutMs: preset.consensus.electionTimeoutMs,
      replicaCount: preset.consensus.replicaCount,
    })
    expect(config.server).toEqual({ httpPort: 8080, httpsPort: 8443, bindAddress: '127.0.0.1' })
    expect(config.cluster).toEqual({
      clusterId: 'default',
      dataDir: '/var/lib/dwcp',
      joining: false,
      members: [],
    })
    expect(config.tls).toBeUndefined()
  })

  it('takes the default of ml_enabled and sequence_length from what serves: the preset codec and the model', () => {
    expect(parseConfig('mode: internet\n').compression.mlEnabled).toBe(true)
    expect(parseConfig('mode: internet\ncompression:\n  algorithm: lz4\n').compression.mlEnabled).toBe(false)
    expect(parseConfig('mode: internet\nprediction:\n  model: datacenter\n').prediction.sequenceLength).toBe(
      10,
    )
  })

  it('warns about an exposed API and an even Raft member count, both of which run as written', () => {
    const config = parseConfig(
      'mode: datacenter\nserver:\n  bind_address: 0.0.0.0\ncluster:\n  node_id: a\n  members:\n    - { id: a, address: "memory://a" }\n    - { id: b, address: "memory://b" }\n',
    )
    expect(config.warnings.map((warning) => warning.keyPath)).toEqual([
      'server.bind_address',
      'cluster.members',
    ])
    expect(config.warnings[1]?.message).toMatch(/2 raft replicas tolerate no more failures than 1/)
  })

  it('fills missing ports of listen and member addresses from the runbook', () => {
    const config = parseConfig(
      'mode: datacenter\ntls:\n  enabled: false\ncluster:\n  node_id: a\n  listen: [tcp://10.0.0.1]\n  members:\n    - { id: a, address: "tcp://10.0.0.1" }\n',
    )
    expect(config.cluster.listen).toEqual(['tcp://10.0.0.1:5000'])
    expect(config.cluster.members[0]?.address).toBe('tcp://10.0.0.1:5000')
    expect(config.consensus.replicaCount).toBe(1)
  })
})
