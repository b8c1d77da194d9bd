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

describe('the runbook examples in deploy/configs', () => {
  it('datacenter.yaml loads with its tuning and the preset for the rest', async () => {
    const config = await loadConfigFile(deployConfig('datacenter.yaml'))
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
    expect(config.warnings).toEqual([])
    expect(Object.isFrozen(config.transport)).toBe(true)
  })

  it('internet.yaml loads', async () => {
    const config = await loadConfigFile(deployConfig('internet.yaml'))
    expect(config.transport).toMatchObject({ tcpStreams: 8, congestionAlgorithm: 'bbr', pacingEnabled: true })
    expect(config.compression).toEqual({ algorithm: 'zstd-max', mlEnabled: true })
    expect(config.prediction).toEqual({ model: 'internet', sequenceLength: 60 })
    expect(config.sync).toMatchObject({ mechanism: 'crdt', convergenceTimeoutMs: 30_000 })
    expect(config.consensus).toEqual({ mechanism: 'pbft', electionTimeoutMs: 1000, replicaCount: 4 })
  })

  it('production.yaml loads: resources, TLS, cluster, server and logging', async () => {
    const config = await loadConfigFile(deployConfig('production.yaml'))
    expect(config.resources).toEqual({
      cpu: { limitCores: 16, reservationCores: 8 },
      memory: { limitBytes: 32e9, reservationBytes: 16e9, mlCacheBytes: 4e9, compressionBufferBytes: 2e9 },
      network: { bandwidthLimitBps: 10e9, connectionsMax: 10_000 },
    })
    expect(config.tls).toMatchObject({
      enabled: true,
      minVersion: 'TLSv1.3',
      caFile: '/etc/dwcp/certs/ca.crt',
    })
    expect(config.authentication.allowedSubjects).toHaveLength(2)
    expect(config.cluster.members.map((member) => member.id)).toEqual(['node-1', 'node-2', 'node-3'])
    expect(config.server).toMatchObject({ httpPort: 8080, httpsPort: 8443, bindAddress: '0.0.0.0' })
    expect(config.logging).toEqual({ level: 'info', file: '/var/log/dwcp/dwcp.log' })
    expect(config.warnings).toEqual([])
  })

  it('config.yaml + resources.yaml + security.yaml merge as the runbook splits them', async () => {
    const files = ['internet.yaml', 'resources.yaml', 'security.yaml'].map(deployConfig)
    const config = await loadConfigFiles(files)
    expect(config.sources).toEqual(files)
    expect(config.resources.network.bandwidthLimitBps).toBe(10e9)
    expect(config.tls?.cipherSuites).toEqual(['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'])
    expect(config.consensus.mechanism).toBe('pbft')
  })

  it('a fragment alone is missing its mode', async () => {
    await expectConfigErrorAsync(() => loadConfigFile(deployConfig('resources.yaml')), 'mode', /required/)
  })
})

describe('merging several files', () => {
  it('refuses a key set in two files, naming both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dwcp-config-'))
    const a = join(dir, 'config.yaml')
    const b = join(dir, 'resources.yaml')
    await writeFile(a, 'mode: datacenter\nresources:\n  cpu:\n    limit: 8\n')
    await writeFile(b, 'resources:\n  cpu:\n    limit: 16\n  network:\n    connections_max: 10\n')
    try {
      await expectConfigErrorAsync(
        () => loadConfigFiles([a, b]),
        'resources.cpu.limit',
        new RegExp(`defined in both ${a.replaceAll('.', '\\.')} and ${b.replaceAll('.', '\\.')}`),
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
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

  it('takes a mechanism override numbers from the mode whose preset it is', () => {
    const config = parseConfig('mode: datacenter\nconsensus:\n  mechanism: pbft\nsync:\n  mechanism: crdt\n')
    expect(config.consensus.replicaCount).toBe(MODE_DEFAULTS.internet.consensus.replicaCount)
    expect(config.sync.convergenceTimeoutMs).toBe(MODE_DEFAULTS.internet.sync.convergenceTimeoutMs)
    expect(config.warnings.map((warning) => warning.keyPath)).toEqual([
      'consensus.mechanism',
      'sync.mechanism',
    ])
    expect(config.warnings[0]?.message).toMatch(/pbft in datacenter mode is allowed/)
  })

  it('warns about a CRDT in datacenter mode and an exposed API', () => {
    const config = parseConfig(
      'mode: datacenter\nsync:\n  mechanism: crdt\nserver:\n  bind_address: 0.0.0.0\n',
    )
    expect(config.warnings.map((warning) => warning.keyPath)).toEqual([
      'sync.mechanism',
      'server.bind_address',
    ])
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
