import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { type Clock, METRIC_NAMES, type Metrics, systemClock } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { ed25519Signer } from '../pbft/signer.js'
import { PbftConsensus } from './pbft-consensus.js'
import type { PbftPeerTransport } from './types.js'

/** An in-memory network: delivery on a later turn of the event loop, members can be cut off. */
class MemoryNet {
  readonly listeners = new Map<string, (from: string, bytes: Uint8Array) => void>()
  readonly down = new Set<string>()

  transport(id: string): PbftPeerTransport {
    return {
      send: (to, bytes) => {
        if (this.down.has(id) || this.down.has(to)) return
        setImmediate(() => {
          if (!this.down.has(to)) this.listeners.get(to)?.(id, bytes)
        })
      },
      onMessage: (listener) => {
        this.listeners.set(id, listener)
        return () => this.listeners.delete(id)
      },
    }
  }
}

const replicas = ['a', 'b', 'c', 'd']
const keys = replicas.map(() => generateKeyPairSync('ed25519'))
const publicKeys: KeyObject[] = keys.map((k) => k.publicKey)
let members: PbftConsensus[] = []
afterEach(async () => {
  await Promise.all(members.map((m) => m.stop()))
  members = []
})

function group(clock: Clock = systemClock(), metrics?: Metrics) {
  const net = new MemoryNet()
  members = replicas.map(
    (id, i) =>
      new PbftConsensus({
        id,
        replicas,
        signer: ed25519Signer(keys[i]!.privateKey, publicKeys),
        transport: net.transport(id),
        clock,
        viewChangeTimeoutTicks: 20,
        ...(metrics ? { metrics } : {}),
      }),
  )
  return { net, members }
}

describe('PBFT host and consensus (four members, Ed25519, in-memory network)', () => {
  it('orders proposals from every member; f + 1 matching replies resolve them', async () => {
    const metrics = memoryMetrics()
    const { members } = group(systemClock(), metrics)
    await Promise.all(members.map((m) => m.start()))
    const results = await Promise.all(
      members.flatMap((m, i) => Array.from({ length: 10 }, (_, k) => m.propose(new Uint8Array([i, k])))),
    )
    expect(results).toHaveLength(40)
    // One commit latency per proposal, labelled with the protocol as the runbook declares.
    expect(metrics.series(METRIC_NAMES.consensusLatency).map((series) => series.labels)).toEqual([
      { protocol: 'pbft' },
    ])
    expect(metrics.histogramCount(METRIC_NAMES.consensusLatency, { protocol: 'pbft' })).toBe(40)
    const indexes = results.map((r) => r.index)
    expect(Math.max(...indexes)).toBeGreaterThan(0)
    expect(members[0]!.leader()).toBe('a')
    expect(members[1]!.members().map((m) => m.id)).toEqual(replicas)
    const read = await members[2]!.read()
    expect(read.index).toBeGreaterThanOrEqual(Math.min(...indexes))
  }, 20_000)

  it('keeps committing after the primary is cut off (view change)', async () => {
    const { net, members } = group()
    await Promise.all(members.map((m) => m.start()))
    await members[1]!.propose(new Uint8Array([1]))
    net.down.add('a')
    const started = Date.now()
    await members[2]!.propose(new Uint8Array([2]))
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(members[2]!.leader()).not.toBe('a')
  }, 20_000)

  it('refuses runtime membership changes', async () => {
    const { members } = group()
    await expect(members[0]!.addMember({ id: 'e', address: 'tcp://x' })).rejects.toThrow(/configured/)
  })
})
