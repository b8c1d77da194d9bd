import { manualClock, seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { RaftConsensus } from './raft-consensus.js'
import { flushMicrotasks } from './test-fixtures/host-cluster.js'
import { MemoryRaftNetwork } from './test-fixtures/memory-network.js'
import { MemoryRaftStorage } from './test-fixtures/memory-storage.js'
import type { RaftStateMachine } from './types.js'

/** A counter: each command adds its first byte and returns the new total as one byte. */
class Counter implements RaftStateMachine {
  total = 0
  apply(data: Uint8Array): Uint8Array {
    this.total += data[0] ?? 0
    return Uint8Array.of(this.total)
  }
  snapshot(): Uint8Array {
    return Uint8Array.of(this.total)
  }
  restore(data: Uint8Array): void {
    this.total = data[0] ?? 0
  }
}

describe('RaftConsensus', () => {
  it('orders commands, returns their results, and reports members and leader', async () => {
    const clock = manualClock()
    const network = new MemoryRaftNetwork(clock)
    const ids = ['a', 'b', 'c']
    const members = ids.map((id) => ({ id, address: `10.0.0.${id.charCodeAt(0) - 96}:5000` }))
    const nodes = ids.map(
      (id, i) =>
        new RaftConsensus({
          id,
          peers: ids,
          members,
          storage: new MemoryRaftStorage(),
          transport: network.transport(id),
          stateMachine: new Counter(),
          clock,
          random: seededRandom(40 + i),
        }),
    )
    for (const node of nodes) await node.start()
    expect(nodes[0]!.protocol).toBe('raft')
    const step = async (ms: number): Promise<void> => {
      for (let i = 0; i < ms; i++) {
        clock.advance(1)
        await flushMicrotasks()
      }
    }
    while (!nodes.some((n) => n.leader() === n.host.id)) await step(1)
    const leader = nodes.find((n) => n.leader() === n.host.id)!
    await step(20)
    for (const node of nodes) expect(node.leader()).toBe(leader.host.id)
    expect(leader.members()).toEqual(members)

    const first = leader.propose(Uint8Array.of(5))
    const second = leader.propose(Uint8Array.of(7))
    await step(10)
    const [r1, r2] = await Promise.all([first, second])
    expect(r2.index).toBe(r1.index + 1)
    expect([...r1.result!, ...r2.result!]).toEqual([5, 12])
    const read = leader.read()
    await step(10)
    expect((await read).index).toBeGreaterThanOrEqual(r2.index)
    for (const node of nodes) await node.stop()
  })
})
