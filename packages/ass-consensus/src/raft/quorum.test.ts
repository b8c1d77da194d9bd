import { describe, expect, it } from 'vitest'
import { initialProgress } from './progress.js'
import { quorumSize, takeQuorumActive, voteOutcome } from './quorum.js'

describe('quorum', () => {
  it('needs a strict majority', () => {
    expect([1, 2, 3, 4, 5].map(quorumSize)).toEqual([1, 2, 2, 3, 3])
  })

  it('decides an election once a majority granted or refused', () => {
    const votes = new Map([
      ['a', true],
      ['b', false],
    ])
    expect(voteOutcome(votes, 3)).toBe('pending')
    expect(voteOutcome(new Map([...votes, ['c', true]]), 3)).toBe('won')
    expect(voteOutcome(new Map([...votes, ['c', false]]), 3)).toBe('lost')
  })

  it('counts the followers heard from since the last round, then starts a new round', () => {
    const [b, c] = [initialProgress(0), initialProgress(0)]
    b.recentActive = true
    expect(takeQuorumActive([b, c], 3)).toBe(true)
    expect(b.recentActive).toBe(false)
    expect(takeQuorumActive([b, c], 3)).toBe(false)
  })
})
