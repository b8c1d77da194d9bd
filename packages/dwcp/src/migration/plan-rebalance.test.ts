import { describe, expect, it } from 'vitest'
import type { Placement } from './placement.js'
import { loadsOf, planDrain, planRebalance } from './plan-rebalance.js'

const at = (entries: Array<[string, string, number]>): Map<string, Placement> =>
  new Map(entries.map(([id, host, sizeBytes]) => [id, { host, sizeBytes, updatedAt: 0 }]))

describe('planDrain', () => {
  it('sends the largest workloads first, each to the least-loaded target', () => {
    const placements = at([
      ['w1', 'a', 10],
      ['w2', 'a', 30],
      ['w3', 'a', 20],
      ['x', 'b', 25],
    ])
    expect(planDrain(placements, 'a', ['a', 'b', 'c'])).toEqual([
      { workloadId: 'w2', from: 'a', to: 'c', sizeBytes: 30 },
      { workloadId: 'w3', from: 'a', to: 'b', sizeBytes: 20 },
      { workloadId: 'w1', from: 'a', to: 'c', sizeBytes: 10 },
    ])
  })

  it('plans nothing for a node that hosts nothing, and refuses when no other node exists', () => {
    expect(planDrain(at([['x', 'b', 1]]), 'a', ['b'])).toEqual([])
    expect(() => planDrain(at([]), 'a', ['a'])).toThrow(/no node other/)
  })
})

describe('planRebalance (least-loaded)', () => {
  it('moves workloads off the most-loaded node while that narrows the spread', () => {
    const placements = at([
      ['w1', 'a', 40],
      ['w2', 'a', 30],
      ['w3', 'a', 20],
      ['w4', 'b', 10],
    ])
    const plan = planRebalance(placements, ['a', 'b', 'c'])
    const after = new Map(placements)
    for (const m of plan) after.set(m.workloadId, { ...(after.get(m.workloadId) as Placement), host: m.to })
    const loads = [...loadsOf(after, ['a', 'b', 'c']).values()]
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(20)
    expect(loads.reduce((s, l) => s + l, 0)).toBe(100)
    for (const m of plan) expect(m.from).not.toBe(m.to)
  })

  it('leaves a balanced cluster alone', () => {
    expect(
      planRebalance(
        at([
          ['w1', 'a', 10],
          ['w2', 'b', 10],
        ]),
        ['a', 'b'],
      ),
    ).toEqual([])
  })

  it('re-places workloads of hosts that are gone', () => {
    const plan = planRebalance(
      at([
        ['w1', 'gone', 10],
        ['w2', 'a', 5],
      ]),
      ['a', 'b'],
    )
    expect(plan).toEqual([{ workloadId: 'w1', from: 'gone', to: 'b', sizeBytes: 10 }])
  })

  it('is deterministic and never moves a workload that would not fit the gap', () => {
    const placements = at([
      ['big', 'a', 100],
      ['small', 'b', 1],
    ])
    expect(planRebalance(placements, ['a', 'b'])).toEqual([])
    expect(planRebalance(placements, ['a', 'b'])).toEqual(planRebalance(placements, ['b', 'a']))
    expect(() => planRebalance(placements, [])).toThrow()
  })
})
