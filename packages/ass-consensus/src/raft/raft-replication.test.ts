import { describe, expect, it } from 'vitest'
import { fixedRandom, Group, isolate } from './group.test-support.js'
import { RaftNode } from './raft-node.js'
import type { AppendRequest, Entry, Message } from './types.js'

const entry = (index: number, term: number, text?: string): Entry => ({
  index,
  term,
  data: text === undefined ? undefined : new TextEncoder().encode(text),
})

describe('log replication (§5.3)', () => {
  it('a proposal is persisted, replicated, committed and applied once on every node', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.propose('a', 'x')).toEqual({ accepted: true, index: 2, term: 1 })
    g.deliverAll()
    g.tick('a')
    g.deliverAll()
    for (const id of ['a', 'b', 'c']) {
      expect(g.values(id)).toEqual(['x'])
      expect(g.persisted.get(id)!.map((e) => e.index)).toEqual([1, 2])
    }
  })

  it('a follower refuses a proposal and names the leader it knows', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.propose('b', 'x')).toEqual({ accepted: false, leader: 'a' })
  })

  it('sends at most maxEntriesPerMessage entries in one append', () => {
    const g = new Group(['a', 'b', 'c'], { maxEntriesPerMessage: 2 })
    g.elect('a', isolate('c'))
    for (let i = 0; i < 7; i++) g.propose('a', `v${i}`)
    const sizes: number[] = []
    g.deliverAll((m) => {
      if (m.type === 'append' && m.to === 'c') sizes.push(m.entries.length)
      return true
    })
    g.tick('a')
    g.deliverAll((m) => {
      if (m.type === 'append' && m.to === 'c') sizes.push(m.entries.length)
      return true
    })
    expect(Math.max(...sizes)).toBe(2)
    expect(g.values('c')).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'])
  })

  it('a follower rejects an append whose previous entry does not match', () => {
    const b = new RaftNode({ id: 'b', peers: ['a', 'b'], random: fixedRandom() })
    b.step({ type: 'append', from: 'a', to: 'b', term: 1, prevIndex: 3, prevTerm: 1, entries: [], commit: 0 })
    const [answer] = b.ready().messages
    expect(answer).toMatchObject({ type: 'appendResponse', success: false, rejectedIndex: 3, lastIndex: 0 })
  })

  it('overwrites a conflicting uncommitted suffix with the leader log and persists the replacement', () => {
    // b holds entries 2–3 of term 1 that never committed; the leader of term 2 has a different entry 2.
    const b = new RaftNode({
      id: 'b',
      peers: ['a', 'b', 'c'],
      random: fixedRandom(),
      storage: {
        hardState: { term: 1, vote: 'b', commit: 1 },
        entries: [entry(1, 1), entry(2, 1), entry(3, 1)],
      },
    })
    const append: AppendRequest = {
      type: 'append',
      from: 'a',
      to: 'b',
      term: 2,
      prevIndex: 1,
      prevTerm: 1,
      entries: [entry(2, 2, 'new')],
      commit: 2,
    }
    b.step(append)
    const rd = b.ready()
    expect(rd.entries).toEqual([entry(2, 2, 'new')])
    expect(rd.hardState).toEqual({ term: 2, vote: undefined, commit: 2 })
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1, 2])
    b.advance(rd)
    expect(b.lastIndex).toBe(2)
    expect(b.termAt(2)).toBe(2)
  })

  it('the leader walks nextIndex back until a lagging follower matches, then catches it up', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a', isolate('c'))
    for (let i = 0; i < 5; i++) g.propose('a', `v${i}`)
    g.deliverAll(isolate('c'))
    expect(g.get('c').lastIndex).toBe(0)
    g.tick('a')
    g.deliverAll()
    g.tick('a')
    g.deliverAll()
    expect(g.get('c').lastIndex).toBe(6)
    expect(g.values('c')).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
  })

  it('ignores a duplicate append: nothing is persisted or applied twice', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.propose('a', 'x')
    const copies: Message[] = []
    g.deliverAll((m) => {
      if (m.type === 'append') copies.push(m)
      return true
    })
    g.queue.push(...copies)
    g.deliverAll()
    g.tick('a')
    g.deliverAll()
    expect(g.values('b')).toEqual(['x'])
    expect(g.persisted.get('b')!.map((e) => e.index)).toEqual([1, 2])
  })
})

describe('commit rules (§5.4.2)', () => {
  const restartedLeader = () => {
    // a restarts holding entries of terms 1 and 2, none committed, and wins term 3.
    const g = new Group([])
    const peers = ['a', 'b', 'c']
    g.add(
      new RaftNode({
        id: 'a',
        peers,
        random: fixedRandom(),
        storage: {
          hardState: { term: 2, vote: 'a', commit: 0 },
          entries: [entry(1, 1, 'x'), entry(2, 2, 'y')],
        },
      }),
    )
    g.get('a').campaign()
    g.collect('a')
    for (const type of ['preVoteResponse', 'voteResponse'] as const) {
      g.get('a').step({ type, from: 'b', to: 'a', term: 3, granted: true })
      g.collect('a')
    }
    expect(g.get('a').role).toBe('leader')
    expect(g.get('a').lastIndex).toBe(3)
    return g
  }

  const ack = (matchIndex: number): Message => ({
    type: 'appendResponse',
    from: 'b',
    to: 'a',
    term: 3,
    success: true,
    matchIndex,
    rejectedIndex: 0,
    lastIndex: matchIndex,
  })

  it('does not commit an entry of an earlier term by counting replicas (Figure 8)', () => {
    const g = restartedLeader()
    g.get('a').step(ack(2))
    expect(g.get('a').commitIndex).toBe(0)
  })

  it('commits earlier terms underneath an entry of the current term stored on a majority', () => {
    const g = restartedLeader()
    g.get('a').step(ack(3))
    expect(g.get('a').commitIndex).toBe(3)
    g.collect('a')
    expect(g.values('a')).toEqual(['x', 'y'])
  })

  it('a follower learns the commit index from the leader, capped at what the append proved', () => {
    const b = new RaftNode({ id: 'b', peers: ['a', 'b'], random: fixedRandom() })
    b.step({
      type: 'append',
      from: 'a',
      to: 'b',
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries: [entry(1, 1)],
      commit: 5,
    })
    expect(b.commitIndex).toBe(1)
    b.step({ type: 'append', from: 'a', to: 'b', term: 1, prevIndex: 0, prevTerm: 0, entries: [], commit: 5 })
    expect(b.commitIndex).toBe(1)
  })

  it('a follower with a stale suffix does not commit past the entries the append matched', () => {
    const b = new RaftNode({
      id: 'b',
      peers: ['a', 'b'],
      random: fixedRandom(),
      storage: {
        hardState: { term: 1, vote: 'b', commit: 0 },
        entries: [entry(1, 1), entry(2, 1), entry(3, 1)],
      },
    })
    b.step({ type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 1, prevTerm: 1, entries: [], commit: 3 })
    expect(b.commitIndex).toBe(1)
  })

  it('a restarted node applies its committed prefix again, from its persisted log', () => {
    const node = new RaftNode({
      id: 'b',
      peers: ['a', 'b'],
      random: fixedRandom(),
      storage: {
        hardState: { term: 1, vote: 'a', commit: 1 },
        entries: [entry(1, 1, 'x'), entry(2, 1, 'y')],
      },
    })
    const rd = node.ready()
    expect(rd.entries).toEqual([])
    expect(rd.hardState).toBeUndefined()
    expect(rd.committedEntries).toEqual([entry(1, 1, 'x')])
  })
})
