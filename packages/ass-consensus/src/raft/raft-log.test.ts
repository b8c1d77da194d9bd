import { describe, expect, it } from 'vitest'
import { RaftLog } from './raft-log.js'
import type { Entry } from './types.js'

const e = (index: number, term: number): Entry => ({ index, term, data: undefined })

describe('RaftLog', () => {
  it('has a sentinel of term 0 at index 0 and nothing beyond the end', () => {
    const log = new RaftLog([e(1, 1), e(2, 2)])
    expect(log.term(0)).toBe(0)
    expect(log.term(2)).toBe(2)
    expect(log.term(3)).toBeUndefined()
    expect(log.lastTerm).toBe(2)
    expect(log.matchTerm(0, 0)).toBe(true)
  })

  it('compares logs by last term, then by length (§5.4.1)', () => {
    const log = new RaftLog([e(1, 1), e(2, 2)])
    expect(log.isUpToDate(1, 3)).toBe(true)
    expect(log.isUpToDate(2, 2)).toBe(true)
    expect(log.isUpToDate(5, 1)).toBe(false)
    expect(log.isUpToDate(1, 2)).toBe(false)
  })

  it('skips entries it has, truncates at the first conflict and marks the rest unstable', () => {
    const log = new RaftLog([e(1, 1), e(2, 1), e(3, 1)])
    expect(log.merge(0, [e(1, 1), e(2, 2)])).toBe(2)
    expect(log.lastIndex).toBe(2)
    expect(log.term(2)).toBe(2)
    expect(log.unstable()).toEqual([e(2, 2)])
  })

  it('keeps a longer suffix when a message carries only a matching prefix', () => {
    const log = new RaftLog([e(1, 1), e(2, 1), e(3, 1)])
    expect(log.merge(0, [e(1, 1)])).toBe(1)
    expect(log.lastIndex).toBe(3)
  })

  it('refuses to truncate committed entries', () => {
    const log = new RaftLog([e(1, 1), e(2, 1)], 2)
    expect(() => log.merge(1, [e(2, 2)])).toThrow(/committed/)
  })

  it('hands out committed entries once they are committed, and only those', () => {
    const log = new RaftLog([e(1, 1), e(2, 1), e(3, 1)])
    expect(log.toApply()).toEqual([])
    log.commitTo(2)
    expect(log.toApply()).toEqual([e(1, 1), e(2, 1)])
    expect(log.commitTo(1)).toBe(false)
    expect(() => log.commitTo(9)).toThrow()
  })

  it('rejects a persisted log with a gap or a commit beyond its end', () => {
    expect(() => new RaftLog([e(2, 1)])).toThrow(/gap/)
    expect(() => new RaftLog([e(1, 1)], 2)).toThrow(/beyond/)
  })
})
