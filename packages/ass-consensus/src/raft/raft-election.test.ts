import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { fixedRandom, Group, isolate } from './group.test-support.js'
import { RaftNode } from './raft-node.js'
import type { Message } from './types.js'

describe('leader election (§5.2)', () => {
  it('a single node elects itself once its election timeout elapses', () => {
    const g = new Group(['a'])
    g.tick('a', 9)
    expect(g.get('a').role).toBe('follower')
    g.tick('a')
    expect(g.get('a').role).toBe('leader')
    expect(g.get('a').currentTerm).toBe(1)
  })

  it('draws the election timeout from the injected Random, in [electionTicks, 2 × electionTicks)', () => {
    const late = new RaftNode({ id: 'a', peers: ['a'], random: fixedRandom(0.999), electionTicks: 10 })
    for (let i = 0; i < 18; i++) late.tick()
    expect(late.role).toBe('follower')
    late.tick()
    expect(late.role).toBe('leader')
  })

  it('a candidate that reaches a majority becomes leader and the others follow it', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.get('a').role).toBe('leader')
    expect(g.get('b').leader).toBe('a')
    expect(g.get('c').leader).toBe('a')
    expect(g.get('b').currentTerm).toBe(1)
    // The new leader's no-op entry commits everywhere.
    expect(g.get('c').commitIndex).toBe(1)
  })

  it('a candidate without a majority does not win', () => {
    const g = new Group(['a', 'b', 'c'], { preVote: false })
    g.elect('a', isolate('a'))
    expect(g.get('a').role).toBe('candidate')
    expect(g.get('a').currentTerm).toBe(1)
  })

  it('a node votes at most once per term', () => {
    const g = new Group(['a', 'b', 'c'], { preVote: false, checkQuorum: false })
    const vote = (from: string) =>
      ({ type: 'vote', from, to: 'c', term: 1, lastIndex: 0, lastTerm: 0 }) as const
    g.get('c').step(vote('a'))
    g.get('c').step(vote('b'))
    g.collect('c')
    const answers = g.queue.filter((m) => m.type === 'voteResponse')
    expect(answers.map((m) => [m.to, m.type === 'voteResponse' && m.granted])).toEqual([
      ['a', true],
      ['b', false],
    ])
  })

  it('refuses a candidate whose log is less up to date (§5.4.1)', () => {
    const g = new Group(['a', 'b', 'c'], { preVote: false, checkQuorum: false })
    g.elect('a')
    g.propose('a', 'x')
    g.deliverAll(isolate('c'))
    // c never saw the proposal; a and b did. c campaigns in a later term: both refuse.
    g.get('c').campaign()
    g.collect('c')
    g.deliverAll()
    expect(g.get('c').currentTerm).toBe(2)
    expect(g.get('c').role).not.toBe('leader')
    expect(g.get('b').currentTerm).toBe(2)
  })

  it('a follower that refuses a pre-vote only for its longer log campaigns at once when its leader is gone', () => {
    const g = new Group(['a', 'b', 'c'], { random: fixedRandom(0.5) })
    g.elect('a')
    g.propose('a', 'x')
    // b holds x, c does not; then a dies.
    g.deliverAll((m) => m.to !== 'c' && m.from !== 'c')
    g.queue = []
    const keep = (m: Message) => m.from !== 'a' && m.to !== 'a'
    // Both followers stop hearing from a; b is past its lease but short of its own timeout (15 ticks).
    g.tick('b', 12)
    g.tick('c', 15)
    expect(g.get('c').role).toBe('preCandidate')
    g.deliverAll(keep)
    expect(g.get('b').role).toBe('leader')
    expect(g.get('b').currentTerm).toBe(2)
    expect(g.values('b')).toEqual(['x'])
  })

  it('a follower still in its lease refuses a behind pre-candidate without campaigning', () => {
    const g = new Group(['a', 'b', 'c'], { random: fixedRandom(0.5) })
    g.elect('a')
    g.propose('a', 'x')
    g.deliverAll((m) => m.to !== 'c' && m.from !== 'c')
    g.queue = []
    g.tick('b', 5)
    g.tick('c', 15)
    g.deliverAll((m) => m.from !== 'a' && m.to !== 'a')
    expect(g.get('b').role).toBe('follower')
    expect(g.get('b').currentTerm).toBe(1)
  })

  it('pre-vote: an isolated node keeps its term, so it does not disrupt the leader when it returns', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    const termBefore = g.get('a').currentTerm
    for (let i = 0; i < 5; i++) {
      g.tick('c', 20)
      g.deliverAll(isolate('c'))
    }
    expect(g.get('c').currentTerm).toBe(termBefore)
    expect(g.get('c').role).toBe('preCandidate')
    g.tick('a')
    g.deliverAll()
    expect(g.get('a').role).toBe('leader')
    expect(g.get('a').currentTerm).toBe(termBefore)
    expect(g.get('c').leader).toBe('a')
  })

  it('without pre-vote the same isolated node does raise its term', () => {
    const g = new Group(['a', 'b', 'c'], { preVote: false })
    g.elect('a')
    g.tick('c', 20)
    g.deliverAll(isolate('c'))
    expect(g.get('c').currentTerm).toBeGreaterThan(g.get('a').currentTerm)
  })

  it('check-quorum: a leader that hears from no quorum for an election timeout steps down', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    for (let i = 0; i < 20; i++) {
      g.tick('a')
      g.deliverAll(isolate('a'))
    }
    expect(g.get('a').role).toBe('follower')
  })

  it('check-quorum: a leader that hears from a quorum stays', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    for (let i = 0; i < 30; i++) {
      g.tick('a')
      g.deliverAll(isolate('c'))
    }
    expect(g.get('a').role).toBe('leader')
  })

  it('a follower that recently heard from its leader ignores a vote request of a later term', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.get('b').step({ type: 'vote', from: 'c', to: 'b', term: 5, lastIndex: 9, lastTerm: 9 })
    g.collect('b')
    expect(g.get('b').currentTerm).toBe(1)
    expect(g.queue).toEqual([])
  })

  it('a stale leader steps down when a follower answers with a later term', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.get('a').step({
      type: 'appendResponse',
      from: 'b',
      to: 'a',
      term: 7,
      success: false,
      matchIndex: 0,
      rejectedIndex: 0,
      lastIndex: 0,
    })
    expect(g.get('a').role).toBe('follower')
    expect(g.get('a').currentTerm).toBe(7)
  })

  it('persists term and vote before the vote leaves, and keeps them across a restart', () => {
    const g = new Group(['a', 'b', 'c'], { preVote: false })
    g.get('b').step({ type: 'vote', from: 'a', to: 'b', term: 3, lastIndex: 0, lastTerm: 0 })
    const rd = g.get('b').ready()
    expect(rd.hardState).toEqual({ term: 3, vote: 'a', commit: 0 })
    expect(rd.messages).toHaveLength(1)
    const restarted = new RaftNode({
      id: 'b',
      peers: ['a', 'b', 'c'],
      random: fixedRandom(),
      storage: { hardState: rd.hardState!, entries: [] },
    })
    restarted.step({ type: 'vote', from: 'c', to: 'b', term: 3, lastIndex: 0, lastTerm: 0 })
    const again = restarted.ready()
    expect(again.messages).toEqual([{ type: 'voteResponse', from: 'b', to: 'c', term: 3, granted: false }])
  })

  it('rejects a configuration outside its domain with InvalidArgumentError', () => {
    const bad = [
      { id: 'x', peers: [] },
      { id: 'a', peers: ['a', 'a'] },
      { id: 'a', peers: ['a'], electionTicks: 0 },
      { id: 'a', peers: ['a'], electionTicks: 3, heartbeatTicks: 3 },
      { id: 'a', peers: ['a'], maxEntriesPerMessage: 1.5 },
    ]
    for (const config of bad) {
      let error: unknown
      try {
        new RaftNode({ random: fixedRandom(), ...config })
      } catch (e) {
        error = e
      }
      expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})
