import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { Group, isolate } from './group.test-support.js'
import { ReadIndexQueue } from './read-index.js'

describe('ReadIndex (linearizable reads without a log write)', () => {
  it('a single-node leader answers at once with its commit index', () => {
    const g = new Group(['a'])
    g.tick('a', 10)
    g.propose('a', 'x')
    expect(g.get('a').readIndex('r1')).toEqual({ accepted: true })
    g.collect('a')
    expect(g.reads.get('a')).toEqual([{ context: 'r1', index: 2 }])
  })

  it('confirms leadership with a quorum before releasing the read', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.propose('a', 'x')
    g.deliverAll()
    expect(g.get('a').readIndex('r1')).toEqual({ accepted: true })
    g.collect('a')
    expect(g.reads.get('a')).toEqual([])
    g.deliverAll(isolate('c'))
    expect(g.reads.get('a')).toEqual([{ context: 'r1', index: 2 }])
  })

  it('a leader cut off from the quorum never confirms a read', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    g.get('a').readIndex('r1')
    g.collect('a')
    for (let i = 0; i < 5; i++) {
      g.tick('a')
      g.deliverAll(isolate('a'))
    }
    expect(g.reads.get('a')).toEqual([])
  })

  it('is refused on a follower, which names the leader', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a')
    expect(g.get('b').readIndex('r1')).toEqual({ accepted: false, leader: 'a' })
  })

  it('is refused by a new leader until an entry of its term commits', () => {
    const g = new Group(['a', 'b', 'c'])
    g.elect('a', (m) => m.type !== 'append' && m.type !== 'appendResponse')
    expect(g.get('a').role).toBe('leader')
    expect(g.get('a').readIndex('r1')).toEqual({ accepted: false, leader: 'a' })
    g.tick('a')
    g.deliverAll()
    expect(g.get('a').readIndex('r1')).toEqual({ accepted: true })
  })

  it('bounds the pending reads with QueueFullError', () => {
    const g = new Group(['a', 'b', 'c'], { maxPendingReads: 2 })
    g.elect('a')
    g.get('a').readIndex('r1')
    g.get('a').readIndex('r2')
    let error: unknown
    try {
      g.get('a').readIndex('r3')
    } catch (e) {
      error = e
    }
    expect(isDwcpError(error, 'DWCP_ERR_QUEUE_FULL')).toBe(true)
  })
})

describe('ReadIndexQueue', () => {
  it('releases reads in order once a quorum echoed a sequence at least as new', () => {
    const q = new ReadIndexQueue(8)
    q.add('r1', 3, 'a')
    q.add('r2', 4, 'a')
    q.add('r3', 5, 'a')
    expect(q.lastSeq).toBe(3)
    expect(q.ack('b', 1, 3)).toEqual([])
    expect(q.ack('c', 2, 3)).toEqual([{ context: 'r1', index: 3 }])
    expect(q.ack('b', 3, 3)).toEqual([{ context: 'r2', index: 4 }])
    expect(q.ack('c', 3, 3)).toEqual([{ context: 'r3', index: 5 }])
    q.add('r4', 6, 'a')
    q.clear()
    expect(q.ack('b', 9, 2)).toEqual([])
  })
})
