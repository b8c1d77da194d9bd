import { describe, expect, it } from 'vitest'
import { loadConfigFile, parseConfig } from './load-config.js'
import { setConfigValue } from './set-value.js'
import { deployConfig, expectConfigError } from './test-fixtures/expect-config-error.js'

describe('setConfigValue (dwcp config set k=v)', () => {
  it('applies the runbook examples', async () => {
    const config = await loadConfigFile(deployConfig('production.yaml'))
    const cpu = setConfigValue(config, 'resources.cpu.limit=32')
    expect(cpu.resources.cpu.limitCores).toBe(32)
    const memory = setConfigValue(cpu, 'resources.memory.limit=64GB')
    expect(memory.resources.memory.limitBytes).toBe(64e9)
    expect(memory.raw).toMatchObject({ resources: { memory: { limit: '64GB' } } })
    expect(config.resources.cpu.limitCores).toBe(16)
  })

  it('accepts hde.* as the compression section, as the runbook writes it', () => {
    const config = parseConfig('mode: datacenter\n')
    const ml = setConfigValue(config, 'hde.ml_enabled=true')
    expect(ml.compression.mlEnabled).toBe(true)
    expect(setConfigValue(ml, 'hde.algorithm=zstd-max').compression.algorithm).toBe('zstd-max')
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
