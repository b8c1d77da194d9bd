import { describe, expect, it } from 'vitest'
import { InvariantViolationError } from './invariant-violation-error.js'
import { LogInvariants, type NodeView } from './log-invariants.js'

const leader = (id: string, term: number, log: Record<number, number> = {}): NodeView => ({
  id,
  isLeader: true,
  term,
  compactedThrough: 0,
  termAt: (index) => log[index],
})

function violation(fn: () => void): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InvariantViolationError)
    return (error as InvariantViolationError).invariant
  }
  return expect.fail('expected an InvariantViolationError')
}

describe('LogInvariants', () => {
  it('election safety: flags two leaders of one term, allows one leader per term', () => {
    const check = new LogInvariants()
    check.observe(leader('a', 1))
    check.observe(leader('a', 1))
    check.observe(leader('b', 2))
    expect(violation(() => check.observe(leader('c', 2)))).toBe('election safety')
  })

  it('log matching: same index and term must mean same content and same previous term', () => {
    const check = new LogInvariants()
    check.persisted('a', { index: 2, term: 1, key: 'x' }, 1)
    check.persisted('b', { index: 2, term: 1, key: 'x' }, 1)
    expect(violation(() => check.persisted('c', { index: 2, term: 1, key: 'y' }, 1))).toBe('log matching')
    expect(violation(() => check.persisted('c', { index: 2, term: 1, key: 'x' }, 0))).toBe('log matching')
  })

  it('state-machine safety: flags two different entries applied at one index', () => {
    const check = new LogInvariants()
    check.applied('a', { index: 1, term: 1, key: 'x' }, 1, [])
    check.applied('b', { index: 1, term: 1, key: 'x' }, 1, [])
    expect(violation(() => check.applied('c', { index: 1, term: 2, key: 'y' }, 2, []))).toBe(
      'state-machine safety',
    )
  })

  it('leader completeness: a leader of a later term must hold every entry committed before', () => {
    const check = new LogInvariants()
    check.applied('a', { index: 1, term: 1, key: 'x' }, 1, [])
    check.observe(leader('b', 2, { 1: 1 }))
    expect(violation(() => check.observe(leader('c', 3, {})))).toBe('leader completeness')
  })

  it('leader completeness: an entry committed in term T must already be on a live leader of a later term', () => {
    const check = new LogInvariants()
    const later = leader('b', 3, {})
    expect(violation(() => check.applied('a', { index: 1, term: 2, key: 'x' }, 2, [later]))).toBe(
      'leader completeness',
    )
  })

  it('does not hold a leader to entries committed in its own or a later term', () => {
    const check = new LogInvariants()
    check.applied('a', { index: 1, term: 2, key: 'x' }, 4, [])
    check.observe(leader('b', 3, {}))
    expect(check.committedKey(1)).toBe('x')
  })
})

describe('LogInvariants: reads', () => {
  it('flags a read confirmed below an index committed before it was asked', () => {
    const check = new LogInvariants()
    check.applied('a', { index: 1, term: 1, key: 'x' }, 1, [])
    check.readAsked('r1')
    check.readAsked('r2')
    check.readConfirmed('a', 'r1', 1)
    expect(violation(() => check.readConfirmed('a', 'r2', 0))).toBe('linearizable read')
  })
})
