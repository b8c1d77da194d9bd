import { describe, expect, it } from 'vitest'
import { fixedRandom, Group, isolate } from './group.test-support.js'
import { RaftNode } from './raft-node.js'

/** Adds a node that joins a running cluster: it knows the current voters, not itself. */
function join(g: Group, id: string, voters: readonly string[]): RaftNode {
  const node = new RaftNode({ id, peers: voters, random: fixedRandom() })
  g.add(node)
  return node
}

describe('membership change, one server at a time (§4.1 of the Raft thesis)', () => {
  it('adds a fourth voter: it catches up, and then a quorum is 3 of 4', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.propose('a', 'x')
    g.deliverAll()
    const _d = join(g, 'd', ['a', 'b', 'c'])
    const change = g.get('a').proposeMembership({ add: 'd' })
    expect(change.accepted).toBe(true)
    g.collect('a')
    g.deliverAll()
    g.tick('a')
    g.deliverAll()
    for (const id of ['a', 'b', 'c', 'd']) expect(g.get(id).voters).toEqual(['a', 'b', 'c', 'd'])
    expect(g.values('d')).toEqual(['x'])
    // With c and d cut off, a and b are 2 of 4: nothing commits.
    g.propose('a', 'y')
    g.deliverAll(isolate('c', 'd'))
    expect(g.values('a')).toEqual(['x'])
    g.tick('a')
    g.deliverAll()
    expect(g.values('d')).toEqual(['x', 'y'])
  })

  it('removes a voter: the rest commit without it, and it never campaigns', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.get('a').proposeMembership({ remove: 'c' }).accepted).toBe(true)
    g.collect('a')
    g.deliverAll()
    g.tick('a')
    g.deliverAll()
    expect(g.get('a').voters).toEqual(['a', 'b'])
    g.propose('a', 'x')
    g.deliverAll((m) => m.to !== 'c')
    // b learns that x committed from the next heartbeat.
    g.tick('a')
    g.deliverAll((m) => m.to !== 'c')
    expect(g.values('b')).toEqual(['x'])
    // c never hears that it was removed (the leader stops sending to it), so it may campaign: the voters
    // ignore it and keep their leader and term.
    const term = g.get('a').currentTerm
    for (let i = 0; i < 5; i++) {
      g.tick('c', 25)
      g.deliverAll()
    }
    expect(g.get('a').role).toBe('leader')
    expect(g.get('a').currentTerm).toBe(term)
    expect(g.get('b').currentTerm).toBe(term)
    expect(g.get('c').role).not.toBe('leader')
  })

  it('a removed node that learns of its removal never campaigns', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.get('a').proposeMembership({ remove: 'c' })
    g.collect('a')
    // c receives the entry and the commit index that covers it (a broadcasts the commit before dropping c).
    g.deliverAll()
    const c = g.get('c')
    expect(c.voters).toEqual(['a', 'b'])
    g.tick('c', 50)
    expect(c.role).toBe('follower')
    expect(g.queue.filter((m) => m.from === 'c')).toEqual([])
  })

  it('allows one change at a time, and none before the leader committed an entry of its term', () => {
    const g = new Group(['a', 'b', 'c'])
    g.get('a').campaign()
    g.collect('a')
    // Votes arrive, the no-op does not commit yet.
    g.deliverAll(
      (m) =>
        m.type === 'vote' ||
        m.type === 'voteResponse' ||
        m.type === 'preVote' ||
        m.type === 'preVoteResponse',
    )
    expect(g.get('a').role).toBe('leader')
    expect(g.get('a').proposeMembership({ add: 'd' }).accepted).toBe(false)
    g.queue = []
    g.tick('a')
    g.deliverAll()
    expect(g.get('a').proposeMembership({ add: 'd' }).accepted).toBe(true)
    expect(g.get('a').proposeMembership({ remove: 'b' }).accepted).toBe(false)
    expect(g.get('a').proposeMembership({ add: 'a' }).accepted).toBe(false)
    expect(g.get('a').proposeMembership({ remove: 'z' }).accepted).toBe(false)
  })

  it('a leader that removes itself steps down once the change commits; the others elect a leader', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.get('a').proposeMembership({ remove: 'a' }).accepted).toBe(true)
    g.collect('a')
    g.deliverAll()
    expect(g.get('a').role).toBe('follower')
    // It handed over to a voter holding its whole log, which took over without waiting for a timeout.
    const next = (['b', 'c'] as const).find((id) => g.get(id).role === 'leader')
    expect(next).toBeDefined()
    const other = next === 'b' ? 'c' : 'b'
    expect(g.get(next!).voters).toEqual(['b', 'c'])
    expect(g.get(other).role).toBe('follower')
    g.propose(next!, 'after')
    g.deliverAll()
    g.tick(next!)
    g.deliverAll()
    expect(g.values(other)).toEqual(['after'])
    expect(g.values('a')).toEqual([])
  })

  it('ignores votes from nodes outside the voters', () => {
    const g = new Group(['a', 'b', 'c'])
    const b = g.get('b')
    b.step({ type: 'vote', from: 'z', to: 'b', term: 5, lastIndex: 9, lastTerm: 5 })
    g.collect('b')
    expect(b.currentTerm).toBe(0)
    expect(g.queue).toEqual([])
  })
})
