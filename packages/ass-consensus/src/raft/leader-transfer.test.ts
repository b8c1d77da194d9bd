import { describe, expect, it } from 'vitest'
import { Group, isolate } from './group.test-support.js'

describe('leader transfer (§3.10 of the Raft thesis)', () => {
  it('hands leadership to a caught-up follower in the next term', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.get('a').transferLeadership('b')).toBe(true)
    g.collect('a')
    g.deliverAll()
    expect(g.get('b').role).toBe('leader')
    expect(g.get('b').currentTerm).toBe(2)
    expect(g.get('a').leader).toBe('b')
  })

  it('catches a lagging follower up before telling it to campaign', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a', isolate('c'))
    g.propose('a', 'x')
    g.deliverAll(isolate('c'))
    expect(g.get('c').lastIndex).toBe(0)
    g.get('a').transferLeadership('c')
    g.collect('a')
    g.deliverAll()
    g.tick('a')
    g.deliverAll()
    expect(g.get('c').role).toBe('leader')
    expect(g.get('c').termAt(2)).toBe(1)
  })

  it('refuses proposals during the transfer and resumes them if it is abandoned', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.get('a').transferLeadership('c')
    g.collect('a')
    expect(g.propose('a', 'x').accepted).toBe(false)
    for (let i = 0; i < 10; i++) {
      g.tick('a')
      g.deliverAll((m) => m.type !== 'timeoutNow' && isolate('c')(m))
      g.queue = []
    }
    expect(g.get('a').role).toBe('leader')
    expect(g.propose('a', 'x').accepted).toBe(true)
  })

  it('is refused by a follower and for a non-member', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.get('b').transferLeadership('c')).toBe(false)
    expect(g.get('a').transferLeadership('z')).toBe(false)
    expect(g.get('a').transferLeadership('a')).toBe(false)
  })
})
