import { isDwcpError, seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { SimNetwork } from './network.js'

interface Note {
  from: string
  to: string
  n: number
}

const note = (n: number, from = 'a', to = 'b'): Note => ({ from, to, n })

describe('SimNetwork', () => {
  it('delivers after the delay, not before', () => {
    const net = new SimNetwork<Note>(seededRandom(1), { delayTicksMin: 3, delayTicksMax: 3 })
    net.send(note(1), 10)
    expect(net.deliver(12)).toEqual([])
    expect(net.deliver(13)).toEqual([note(1)])
    expect(net.pending).toBe(0)
  })

  it('reorders messages when delays spread, deterministically for a seed', () => {
    const run = (seed: number) => {
      const net = new SimNetwork<Note>(seededRandom(seed), { delayTicksMin: 1, delayTicksMax: 5 })
      for (let i = 0; i < 20; i++) net.send(note(i), 0)
      return net.deliver(10).map((m) => m.n)
    }
    expect(run(7)).toEqual(run(7))
    expect(run(7)).not.toEqual([...Array(20).keys()])
    expect([...run(7)].sort((x, y) => x - y)).toEqual([...Array(20).keys()])
  })

  it('drops and duplicates at the configured rates', () => {
    const net = new SimNetwork<Note>(seededRandom(3), { dropRate: 0.3, duplicateRate: 0.2 })
    for (let i = 0; i < 2000; i++) net.send(note(i), 0)
    const got = net.deliver(1).length
    expect(net.stats.dropped).toBeGreaterThan(500)
    expect(net.stats.dropped).toBeLessThan(700)
    expect(net.stats.duplicated).toBeGreaterThan(200)
    expect(got).toBe(2000 - net.stats.dropped + net.stats.duplicated)
  })

  it('partitions cut new and in-flight messages across groups; heal restores them', () => {
    const net = new SimNetwork<Note>(seededRandom(1), { delayTicksMin: 2, delayTicksMax: 2 })
    net.send(note(1, 'a', 'c'), 0)
    net.partition([['a', 'b'], ['c']])
    net.send(note(2, 'a', 'c'), 0)
    net.send(note(3, 'a', 'b'), 0)
    expect(net.deliver(5).map((m) => m.n)).toEqual([3])
    expect(net.stats.cut).toBe(1)
    net.heal()
    net.send(note(4, 'a', 'c'), 5)
    expect(net.deliver(7).map((m) => m.n)).toEqual([4])
  })

  it('forgets messages in flight to a crashed node', () => {
    const net = new SimNetwork<Note>(seededRandom(1))
    net.send(note(1, 'a', 'b'), 0)
    net.send(note(2, 'b', 'a'), 0)
    net.dropTo('b')
    expect(net.deliver(1).map((m) => m.n)).toEqual([2])
  })

  it('bounds the messages in flight', () => {
    const net = new SimNetwork<Note>(seededRandom(1), {}, 3)
    for (let i = 0; i < 5; i++) net.send(note(i), 0)
    expect(net.pending).toBe(3)
  })

  it('rejects faults outside their domain', () => {
    for (const faults of [{ dropRate: 2 }, { delayTicksMin: -1 }, { delayTicksMin: 3, delayTicksMax: 2 }]) {
      let error: unknown
      try {
        new SimNetwork<Note>(seededRandom(1), faults)
      } catch (e) {
        error = e
      }
      expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})
