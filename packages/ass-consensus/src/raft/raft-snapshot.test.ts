import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { fixedRandom, Group, isolate } from './group.test-support.js'
import { RaftNode } from './raft-node.js'
import type { Message } from './types.js'

const bytes = (text: string) => new TextEncoder().encode(text)
/** The state machine of node `id` as of `index`: the values it applied up to there. */
const stateAt = (g: Group, id: string, index: number) =>
  bytes(
    JSON.stringify(
      g.applied
        .get(id)!
        .filter((e) => e.index <= index && e.data !== undefined)
        .map((e) => new TextDecoder().decode(e.data)),
    ),
  )

/** A 3-node group where `c` missed everything `a` replicated, then `a` compacted its log. */
function laggingFollower(entries = 5, compactTo = 4): Group {
  const g = new Group(['a', 'b', 'c'])
  g.elect('a', isolate('c'))
  for (let i = 1; i <= entries; i++) g.propose('a', `v${i}`)
  g.deliverAll(isolate('c'))
  g.get('a').compact(compactTo, stateAt(g, 'a', compactTo))
  return g
}

describe('log compaction and InstallSnapshot (§7)', () => {
  it('compacts applied entries, keeping the last index and term for the consistency check', () => {
    const g = laggingFollower()
    const a = g.get('a')
    expect(a.snapshot).toMatchObject({ index: 4, term: 1, voters: ['a', 'b', 'c'] })
    expect(a.termAt(4)).toBe(1)
    expect(a.termAt(3)).toBeUndefined()
    expect(a.termAt(5)).toBe(1)
    expect(a.lastIndex).toBe(6)
    // Nothing above the applied index, and nothing twice.
    expect(() => a.compact(99, bytes('x'))).toThrow()
    try {
      a.compact(99, bytes('x'))
    } catch (error) {
      expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
    expect(a.compact(4, bytes('again'))).toBeUndefined()
  })

  it('catches a lagging follower up by snapshot, then by entries', () => {
    const g = laggingFollower()
    g.tick('a')
    const sent: Message[] = []
    g.deliverAll((m) => {
      sent.push(m)
      return true
    })
    expect(sent.filter((m) => m.type === 'snapshot')).toHaveLength(1)
    const [installed] = g.snapshots.get('c')!
    expect(installed).toMatchObject({ index: 4, term: 1, voters: ['a', 'b', 'c'] })
    expect(JSON.parse(new TextDecoder().decode(installed!.data))).toEqual(['v1', 'v2', 'v3'])
    const c = g.get('c')
    expect(c.commitIndex).toBe(6)
    expect(c.termAt(6)).toBe(1)
    // After the snapshot, only the entries it does not cover were applied on c.
    expect(g.applied.get('c')!.map((e) => e.index)).toEqual([5, 6])
    expect(g.persisted.get('c')!.map((e) => e.index)).toEqual([5, 6])
  })

  it('sends a lost snapshot again after an election timeout, not at every heartbeat', () => {
    const g = laggingFollower()
    let snapshots = 0
    for (let i = 0; i < 9; i++) {
      g.tick('a')
      g.deliverAll((m) => {
        if (m.type === 'snapshot') snapshots++
        return m.type !== 'snapshot'
      })
    }
    expect(snapshots).toBe(1)
    g.tick('a', 2)
    g.deliverAll()
    expect(g.get('c').commitIndex).toBe(6)
  })

  it('commits instead of restoring when its log already holds what the snapshot covers', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.propose('a', 'x')
    // b holds the entries but has not heard they committed.
    g.deliverAll((m) => !(m.type === 'append' && m.to === 'b' && m.commit >= 2))
    const b = g.get('b')
    const commitBefore = b.commitIndex
    const snapshot = { index: 2, term: 1, voters: ['a', 'b', 'c'], data: bytes('[]') }
    b.step({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot })
    g.collect('b')
    expect(commitBefore).toBeLessThan(2)
    expect(b.commitIndex).toBe(2)
    expect(g.snapshots.get('b')).toEqual([])
    expect(b.termAt(1)).toBe(1)
  })

  it('restarts from a snapshot and the entries after it', () => {
    const g = laggingFollower()
    const a = g.get('a')
    const snapshot = a.snapshot!
    const restarted = new RaftNode({
      id: 'a',
      peers: ['a', 'b', 'c'],
      random: fixedRandom(),
      storage: {
        hardState: { term: a.currentTerm, vote: 'a', commit: 6 },
        snapshot,
        entries: g.persisted.get('a')!.filter((e) => e.index > snapshot.index),
      },
    })
    expect(restarted.lastIndex).toBe(6)
    expect(restarted.commitIndex).toBe(6)
    expect(restarted.termAt(4)).toBe(1)
    // The host restored its state machine from the snapshot: only what follows it is handed out to apply.
    expect(restarted.ready().committedEntries.map((e) => e.index)).toEqual([5, 6])
  })
})
