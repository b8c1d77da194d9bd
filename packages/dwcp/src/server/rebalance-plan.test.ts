import { describe, expect, it } from 'vitest'
import { PlacementIndex, planLeastLoaded } from './rebalance-plan.js'

describe('least-loaded plan', () => {
  it('moves workloads off hosts that left, then evens counts to within one', () => {
    const plan = planLeastLoaded(
      [
        ['vm-1', 'a'],
        ['vm-2', 'a'],
        ['vm-3', 'a'],
        ['vm-4', 'a'],
        ['vm-5', 'old'],
      ],
      ['a', 'b', 'c'],
    )
    expect(plan.before).toEqual({ a: 4, b: 0, c: 0, old: 1 })
    expect(plan.after).toEqual({ a: 2, b: 2, c: 1 })
    expect(plan.moves[0]).toEqual({ workload: 'vm-5', from: 'old', to: 'b', reason: 'host-not-a-member' })
    expect(plan.moves.filter((m) => m.reason === 'balance')).toHaveLength(2)
  })

  it('plans nothing for a balanced cluster and is the same on every run', () => {
    const placements: [string, string][] = [
      ['x', 'a'],
      ['y', 'b'],
    ]
    expect(planLeastLoaded(placements, ['a', 'b']).moves).toEqual([])
    expect(
      planLeastLoaded(
        [
          ['x', 'a'],
          ['y', 'a'],
          ['z', 'a'],
        ],
        ['a', 'b'],
      ),
    ).toEqual(
      planLeastLoaded(
        [
          ['z', 'a'],
          ['x', 'a'],
          ['y', 'a'],
        ],
        ['a', 'b'],
      ),
    )
  })

  it('indexes placements from state changes, deletions and malformed values included', () => {
    const index = new PlacementIndex()
    index.apply({ key: 'placement/vm-1', value: { host: 'a' } })
    index.apply({ key: 'placement/vm-2', value: { host: 'b' } })
    index.apply({ key: 'placement/vm-2', value: undefined })
    index.apply({ key: 'placement/vm-3', value: 'not an object' })
    expect(index.entries()).toEqual([['vm-1', 'a']])
  })
})
