import { isDwcpError, seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { checkLinearizable } from './check-linearizable.js'
import type { KvOperation } from './kv-history.js'

const op = (
  client: string,
  kind: 'put' | 'get',
  value: string | undefined,
  callAt: number,
  returnAt: number,
  key = 'k',
): KvOperation => ({ client, kind, key, value, callAt, returnAt })

describe('checkLinearizable', () => {
  it('accepts a sequential history that follows the register', () => {
    const history = [op('a', 'get', undefined, 0, 1), op('a', 'put', '1', 2, 3), op('b', 'get', '1', 4, 5)]
    expect(checkLinearizable(history).ok).toBe(true)
  })

  it('refuses a stale read: a get after a completed put that does not see it', () => {
    const history = [op('a', 'put', '1', 0, 2), op('b', 'get', undefined, 3, 4)]
    expect(checkLinearizable(history)).toMatchObject({ ok: false, key: 'k' })
  })

  it('lets a read that overlaps a write see either value, but not both orders at once', () => {
    expect(checkLinearizable([op('a', 'put', '1', 0, 10), op('b', 'get', undefined, 1, 2)]).ok).toBe(true)
    expect(checkLinearizable([op('a', 'put', '1', 0, 10), op('b', 'get', '1', 1, 2)]).ok).toBe(true)
    // b saw the new value, then c (after b returned) saw the old one: no single order explains both.
    const flipFlop = [op('a', 'put', '1', 0, 10), op('b', 'get', '1', 1, 2), op('c', 'get', undefined, 3, 4)]
    expect(checkLinearizable(flipFlop).ok).toBe(false)
  })

  it('treats a write that never returned as maybe applied, and a read that never returned as nothing', () => {
    const lost = op('a', 'put', '1', 0, Number.POSITIVE_INFINITY)
    expect(checkLinearizable([lost, op('b', 'get', '1', 5, 6)]).ok).toBe(true)
    expect(checkLinearizable([lost, op('b', 'get', undefined, 5, 6)]).ok).toBe(true)
    expect(checkLinearizable([op('b', 'get', 'never', 5, Number.POSITIVE_INFINITY)]).ok).toBe(true)
  })

  it('checks each key on its own', () => {
    const history = [
      op('a', 'put', '1', 0, 1, 'x'),
      op('b', 'get', undefined, 2, 3, 'y'),
      op('c', 'get', '1', 4, 5, 'x'),
    ]
    expect(checkLinearizable(history).ok).toBe(true)
    expect(checkLinearizable([...history, op('d', 'get', undefined, 6, 7, 'x')])).toMatchObject({
      ok: false,
      key: 'x',
    })
  })

  it('accepts every history of a real register with random overlaps, and catches one corrupted read', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed)
      // Operations take effect at distinct instants; each call starts a little before and returns a little after.
      let value: string | undefined
      const history: KvOperation[] = []
      for (let i = 0; i < 12; i++) {
        const at = i * 10
        const callAt = at - random.next() * 15
        const returnAt = at + random.next() * 15
        if (random.next() < 0.5) {
          value = `v${i}`
          history.push(op(`c${i % 3}`, 'put', value, callAt, returnAt))
        } else history.push(op(`c${i % 3}`, 'get', value, callAt, returnAt))
      }
      expect(checkLinearizable(history).ok, `seed ${seed}`).toBe(true)
      const reads = history.filter((h) => h.kind === 'get')
      if (reads.length === 0) continue
      ;(reads[0] as KvOperation).value = 'never-written'
      expect(checkLinearizable(history).ok, `seed ${seed}`).toBe(false)
    }
  })

  it('refuses an operation that returns before it is called, and bounds the search', () => {
    let error: unknown
    try {
      checkLinearizable([op('a', 'get', undefined, 5, 1)])
    } catch (e) {
      error = e
    }
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    const concurrent = Array.from({ length: 14 }, (_, i) => op(`c${i}`, 'put', `v${i}`, 0, 100))
    error = undefined
    try {
      checkLinearizable([...concurrent, op('z', 'get', 'nobody', 200, 201)], { maxStates: 1000 })
    } catch (e) {
      error = e
    }
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
