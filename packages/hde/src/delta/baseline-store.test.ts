import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { boundedBaselineStore } from './baseline-store.js'
import { thrownDwcpError } from './test-fixtures/typed-errors.js'

const bytes = (length: number, fill = 1) => new Uint8Array(length).fill(fill)

/** A sequence of store operations: puts of ids from a small set, interleaved with reads. */
const operations = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('put' as const), id: fc.nat({ max: 12 }), length: fc.nat({ max: 300 }) }),
    fc.record({ op: fc.constantFrom('get' as const, 'has' as const), id: fc.nat({ max: 12 }) }),
  ),
  { maxLength: 200 },
)

describe('boundedBaselineStore', () => {
  it('holds what was put, and reports held bytes and entries', () => {
    const store = boundedBaselineStore({ maxBytes: 100 })
    store.put('a', bytes(40, 7))
    store.put('b', bytes(30))
    expect(store.get('a')).toEqual(bytes(40, 7))
    expect(store.has('b')).toBe(true)
    expect(store.has('c')).toBe(false)
    expect(store.get('c')).toBeUndefined()
    expect(store.stats()).toEqual({ heldBytes: 70, entries: 2, evictions: 0, maxBytes: 100 })
  })

  it('evicts the baseline put least recently, first in first out by last put', () => {
    const store = boundedBaselineStore({ maxBytes: 100 })
    store.put('a', bytes(40))
    store.put('b', bytes(40))
    store.put('a', bytes(40, 2)) // a moves behind b
    store.get('b') // reads change nothing
    store.put('c', bytes(40))
    expect(store.ids()).toEqual(['a', 'c'])
    expect(store.get('a')).toEqual(bytes(40, 2))
    expect(store.stats()).toEqual({ heldBytes: 80, entries: 2, evictions: 1, maxBytes: 100 })
  })

  it('evicts as many baselines as a large put needs', () => {
    const store = boundedBaselineStore({ maxBytes: 100 })
    for (const id of ['a', 'b', 'c', 'd']) store.put(id, bytes(25))
    store.put('e', bytes(60))
    expect(store.ids()).toEqual(['d', 'e'])
    expect(store.stats()).toMatchObject({ heldBytes: 85, evictions: 3 })
  })

  it('drops a baseline larger than the bound, and the previous version of its id', () => {
    const store = boundedBaselineStore({ maxBytes: 100 })
    store.put('a', bytes(10))
    store.put('b', bytes(10))
    store.put('a', bytes(101))
    expect(store.has('a')).toBe(false)
    expect(store.ids()).toEqual(['b'])
    expect(store.stats()).toEqual({ heldBytes: 10, entries: 1, evictions: 1, maxBytes: 100 })
  })

  it('copies on put, so the caller may reuse its buffer', () => {
    const store = boundedBaselineStore({ maxBytes: 100 })
    const buffer = bytes(10, 3)
    store.put('a', buffer)
    buffer.fill(9)
    expect(store.get('a')).toEqual(bytes(10, 3))
  })

  it('holds the same ids and bytes in two stores fed the same puts, whatever the reads', () => {
    fc.assert(
      fc.property(operations, fc.nat({ max: 1000 }), (ops, maxBytes) => {
        const sender = boundedBaselineStore({ maxBytes })
        const receiver = boundedBaselineStore({ maxBytes })
        for (const [step, operation] of ops.entries()) {
          const id = `vm/${operation.id}`
          if (operation.op === 'put') {
            const page = bytes(operation.length, step & 0xff)
            sender.put(id, page)
            receiver.put(id, page)
          } else if (operation.op === 'get') {
            sender.get(id) // only one side reads: reads must not matter
          } else {
            sender.has(id)
          }
          expect(sender.stats().heldBytes).toBeLessThanOrEqual(maxBytes)
        }
        expect(sender.ids()).toEqual(receiver.ids())
        expect(sender.stats()).toEqual(receiver.stats())
        for (const id of sender.ids()) expect(sender.get(id)).toEqual(receiver.get(id))
        const total = sender.ids().reduce((sum, id) => sum + sender.get(id)!.length, 0)
        expect(sender.stats()).toMatchObject({ heldBytes: total, entries: sender.ids().length })
      }),
      { seed: 0xba5e, numRuns: 500 },
    )
  })

  it('holds nothing but empty baselines with a bound of 0', () => {
    const store = boundedBaselineStore({ maxBytes: 0 })
    store.put('a', bytes(1))
    store.put('b', bytes(0))
    expect(store.ids()).toEqual(['b'])
  })

  it('refuses a bound that is not a non-negative integer', () => {
    for (const maxBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      thrownDwcpError(() => boundedBaselineStore({ maxBytes }), 'DWCP_ERR_INVALID_ARGUMENT')
    }
  })
})
