import { describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import { MODE_DEFAULTS } from '../mode-defaults.js'
import { loadConfigFiles, parseConfig } from './load-config.js'
import { deployConfig } from './test-fixtures/expect-config-error.js'
import { toNodeOptions } from './to-node-options.js'

describe('toNodeOptions', () => {
  it('maps production.yaml + datacenter.yaml to createNode options, TLS files left as paths', async () => {
    const options = toNodeOptions(
      await loadConfigFiles(['production.yaml', 'datacenter.yaml'].map(deployConfig)),
    )
    expect(options).toEqual({
      mode: 'datacenter',
      nodeId: 'node-1',
      clusterId: 'production',
      listen: ['ucx://0.0.0.0:4789'],
      tls: {
        enabled: true,
        certFile: '/etc/dwcp/certs/server.crt',
        keyFile: '/etc/dwcp/certs/server.key',
        caFile: '/etc/dwcp/certs/ca.crt',
        minVersion: 'TLSv1.3',
        cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'],
        clientCertRequired: true,
        allowedSubjects: ['CN=node-*.datacenter.local', 'CN=edge-*.cloud.local'],
      },
      tuning: {
        transport: {
          streams: 512,
          maxStreams: 512,
          congestion: 'cubic',
          pacing: false,
          rdmaDevice: 'mlx5_0',
        },
        compression: { algorithm: 'lz4', level: 1, mlEnabled: false },
        prediction: { model: 'datacenter' },
      },
      streamTuning: { maxStreams: 512 },
      cluster: {
        members: [
          { id: 'node-1', address: 'ucx://10.0.1.51:4789', region: 'us-west-2' },
          { id: 'node-2', address: 'ucx://10.0.1.52:4789', region: 'us-west-2' },
          { id: 'node-3', address: 'ucx://10.0.1.53:4789', region: 'us-west-2' },
        ],
        dataDir: '/var/lib/dwcp',
        joining: false,
        electionTimeoutMs: 150,
        syncTimeoutMs: 100,
      },
    })
  })

  it('gives the mode preset as tuning when the config says nothing else', () => {
    const preset = MODE_DEFAULTS.hybrid
    expect(toNodeOptions(parseConfig('mode: hybrid\n'))).toEqual({
      mode: 'hybrid',
      clusterId: 'default',
      tuning: {
        transport: {
          streams: preset.transport.streams,
          maxStreams: preset.transport.streams,
          congestion: preset.transport.congestion,
          pacing: preset.transport.pacing,
        },
        compression: { algorithm: 'adaptive', mlEnabled: true },
        prediction: { model: 'ensemble' },
      },
      streamTuning: { maxStreams: preset.transport.streams },
    })
  })

  it('asks for plaintext explicitly when tls.enabled is false', () => {
    const options = toNodeOptions(
      parseConfig('mode: datacenter\ntls:\n  enabled: false\ncluster:\n  listen: [tcp://127.0.0.1:5000]\n'),
    )
    expect(options.tls).toBe(false)
    expect(options.listen).toEqual(['tcp://127.0.0.1:5000'])
  })

  it('gives CRDT state and PBFT (with the key files to read) when consensus is PBFT', async () => {
    const config = await loadConfigFiles(['production.yaml', 'internet.yaml'].map(deployConfig))
    const options = toNodeOptions(config)
    expect(options.cluster).toEqual({
      members: config.cluster.members.map(({ id, address, region }) => ({ id, address, region })),
      dataDir: '/var/lib/dwcp',
      viewChangeTimeoutMs: 1000,
      convergenceTimeoutMs: 30_000,
    })
    expect(options.pbftKeyFiles).toEqual({
      privateKeyFile: '/etc/dwcp/keys/pbft.key',
      publicKeyFiles: Object.fromEntries(
        [1, 2, 3, 4].map((n) => [`node-${n}`, `/etc/dwcp/keys/node-${n}.pub`]),
      ),
    })
    expect(options.tuning).toEqual({
      transport: { streams: 8, maxStreams: 8, congestion: 'bbr', pacing: true },
      compression: { algorithm: 'zstd-max', mlEnabled: true },
      prediction: { model: 'internet' },
    })
  })

  it('is pure: the same config gives equal, independent options', () => {
    const config = parseConfig(
      'mode: datacenter\ncluster:\n  node_id: a\n  members:\n    - { id: a, address: "memory://a" }\n',
    )
    const first = toNodeOptions(config)
    const second = toNodeOptions(config)
    expect(first).toEqual(second)
    // No sync.timeout written: Raft state calls get no deadline of the config's making.
    expect(first.cluster).not.toHaveProperty('syncTimeoutMs')
    expect(first.cluster?.members).not.toBe(second.cluster?.members)
    expect(Object.isFrozen(first)).toBe(false)
  })

  it('feeds createNode', async () => {
    const { mode, ...options } = toNodeOptions(parseConfig('mode: datacenter\ncluster:\n  node_id: node-7\n'))
    const node = createNode(mode, { ...options, metrics: false })
    expect(node.mode).toBe('datacenter')
    expect(node.nodeId).toBe('node-7')
  })
})
