import { describe, expect, it } from 'vitest'
import { loadConfigFiles, parseConfig } from './load-config.js'
import { setConfigValue } from './set-value.js'
import { deployConfig, expectConfigError } from './test-fixtures/expect-config-error.js'

describe('setConfigValue (dwcp config set k=v)', () => {
  it('applies the runbook examples, and refuses the limits this release cannot enforce', async () => {
    const config = await loadConfigFiles(['production.yaml', 'datacenter.yaml'].map(deployConfig))
    expectConfigError(
      () => setConfigValue(config, 'resources.cpu.limit=32'),
      'resources.cpu.limit',
      /not supported by this release: .*CPUQuota=/,
    )
    expectConfigError(
      () => setConfigValue(config, 'resources.memory.limit=64GB'),
      'resources.memory.limit',
      /not supported by this release: .*MemoryMax=/,
    )
    const connections = setConfigValue(config, 'resources.network.connections_max=20000')
    expect(connections.resources.network.connectionsMax).toBe(20_000)
    expect(connections.raw).toMatchObject({ resources: { network: { connections_max: 20_000 } } })
    expect(config.resources.network.connectionsMax).toBe(10_000)
  })

  it('accepts hde.* as the compression section, as the runbook writes it', () => {
    const config = parseConfig('mode: datacenter\n')
    expectConfigError(
      () => setConfigValue(config, 'hde.ml_enabled=true'),
      'compression.ml_enabled',
      /lz4 has no per-chunk choice/,
    )
    const zstd = setConfigValue(config, 'hde.algorithm=zstd-max')
    expect(zstd.compression.algorithm).toBe('zstd-max')
    expect(setConfigValue(zstd, 'hde.ml_enabled=true').compression.mlEnabled).toBe(true)
  })

  it('re-derives defaults when the mode changes', () => {
    const config = parseConfig('mode: internet\n')
    const datacenter = setConfigValue(config, 'mode=datacenter')
    expect(datacenter.consensus.mechanism).toBe('raft')
    expect(datacenter.transport.congestionAlgorithm).toBe('cubic')
  })

  it('creates missing sections and splits lists on commas', () => {
    const config = parseConfig('mode: datacenter\n')
    const tls = setConfigValue(config, 'tls.enabled=false')
    expect(tls.tls?.enabled).toBe(false)
    const listen = setConfigValue(tls, 'cluster.listen=tcp://10.0.0.1:5000, tcp://10.0.0.1:5001')
    expect(listen.cluster.listen).toEqual(['tcp://10.0.0.1:5000', 'tcp://10.0.0.1:5001'])
  })

  it('validates the whole result and leaves the original unchanged on error', () => {
    const config = parseConfig('mode: internet\nconsensus:\n  replica_count: 4\n')
    expectConfigError(
      () => setConfigValue(config, 'consensus.replica_count=5'),
      'consensus.replica_count',
      /3f\+1/,
    )
    expectConfigError(
      () => setConfigValue(config, 'consensus.mechanism=raft'),
      'consensus.mechanism',
      /internet mode/,
    )
    expectConfigError(
      () => setConfigValue(config, 'resources.memory.limit=64'),
      'resources.memory.limit',
      /missing unit/,
    )
    expect(config.consensus.replicaCount).toBe(4)
    expect(config.raw).toEqual({ mode: 'internet', consensus: { replica_count: 4 } })
    expect(Object.isFrozen(config.raw)).toBe(true)
  })

  it('types the value by the key', () => {
    const config = parseConfig('mode: datacenter\n')
    expectConfigError(
      () => setConfigValue(config, 'transport.streams=many'),
      'transport.streams',
      /expected a number, got "many"/,
    )
    expectConfigError(
      () => setConfigValue(config, 'transport.pacing_enabled=yes'),
      'transport.pacing_enabled',
      /expected true or false/,
    )
    expectConfigError(
      () => setConfigValue(config, 'transport.stream=8'),
      'transport.stream',
      /unknown key \(did you mean transport\.streams\?\)/,
    )
    expectConfigError(() => setConfigValue(config, 'transport=8'), 'transport', /is a section/)
    expectConfigError(
      () => setConfigValue(config, 'cluster.members=a'),
      'cluster.members',
      /dwcp cluster join/,
    )
    expectConfigError(() => setConfigValue(config, 'mode'), 'mode', /expected key=value/)
    expectConfigError(() => setConfigValue(config, 'mode='), 'mode', /empty value/)
  })
})
