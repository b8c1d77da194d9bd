import { describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import { loadConfigFile, parseConfig } from './load-config.js'
import { deployConfig } from './test-fixtures/expect-config-error.js'
import { toNodeOptions } from './to-node-options.js'

describe('toNodeOptions', () => {
  it('maps the production config to createNode options, TLS files left as paths', async () => {
    const options = toNodeOptions(await loadConfigFile(deployConfig('production.yaml')))
    expect(options).toEqual({
      mode: 'datacenter',
      nodeId: 'node-1',
      clusterId: 'production',
      listen: ['ucx://10.0.1.51:4789'],
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
      cluster: {
        members: [
          { id: 'node-1', address: 'ucx://10.0.1.51:4789', region: 'us-west-2' },
          { id: 'node-2', address: 'ucx://10.0.1.52:4789', region: 'us-west-2' },
          { id: 'node-3', address: 'ucx://10.0.1.53:4789', region: 'us-west-2' },
        ],
        dataDir: '/var/lib/dwcp',
        joining: false,
        electionTimeoutMs: 150,
      },
    })
  })

  it('leaves out what the config does not say', () => {
    expect(toNodeOptions(parseConfig('mode: hybrid\n'))).toEqual({ mode: 'hybrid', clusterId: 'default' })
  })

  it('asks for plaintext explicitly when tls.enabled is false', () => {
    const options = toNodeOptions(
      parseConfig('mode: datacenter\ntls:\n  enabled: false\ncluster:\n  listen: [tcp://127.0.0.1:5000]\n'),
    )
    expect(options.tls).toBe(false)
    expect(options.listen).toEqual(['tcp://127.0.0.1:5000'])
  })

  it('gives no Raft cluster when consensus is PBFT', () => {
    const config = parseConfig(
      'mode: internet\ntls:\n  enabled: false\ncluster:\n  node_id: a\n  listen: [tcp://10.0.0.1]\n  members:\n' +
        ['a', 'b', 'c', 'd']
          .map((id, i) => `    - { id: ${id}, address: "tcp://10.0.0.${i + 1}" }\n`)
          .join(''),
    )
    expect(config.cluster.listen).toEqual(['tcp://10.0.0.1:6000'])
    expect(toNodeOptions(config).cluster).toBeUndefined()
  })

  it('is pure: the same config gives equal, independent options', () => {
    const config = parseConfig(
      'mode: datacenter\ncluster:\n  node_id: a\n  members:\n    - { id: a, address: "memory://a" }\n',
    )
    const first = toNodeOptions(config)
    const second = toNodeOptions(config)
    expect(first).toEqual(second)
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
