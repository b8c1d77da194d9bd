import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DedupIndex } from './dedup-index.js'
import { seededBytes } from './seeded-bytes.js'
import { strongHash } from './strong-hash.js'

/** A chunk of `length` seeded bytes and its hash. */
function chunk(seed: number, length = 100): { bytes: Uint8Array; hash: Uint8Array } {
  const bytes = seededBytes(seed, length)
  return { bytes, hash: strongHash(bytes) }
}

describe('DedupIndex', () => {
  it('evicts first in, first out when the entry bound is reached', () => {
    const index = new DedupIndex({ maxEntries: 3 })
    const chunks = [0, 1, 2, 3, 4].map((seed) => chunk(seed))
    for (const { bytes, hash } of chunks) expect(index.record(hash, bytes)).toBe(true)
    expect(chunks.map(({ hash }) => index.has(hash))).toEqual([false, false, true, true, true])
    expect(index.entryCount).toBe(3)
    expect(index.sizeBytes).toBe(300)
  })

  it('evicts first in, first out when the byte bound is reached, and never records a chunk above it', () => {
    const index = new DedupIndex({ maxBytes: 250 })
    const [a, b, c] = [chunk(1, 100), chunk(2, 100), chunk(3, 120)]
    index.record(a!.hash, a!.bytes)
    index.record(b!.hash, b!.bytes)
    index.record(c!.hash, c!.bytes)
    expect([a, b, c].map((entry) => index.has(entry!.hash))).toEqual([false, true, true])
    expect(index.sizeBytes).toBe(220)
    const huge = chunk(4, 251)
    expect(index.record(huge.hash, huge.bytes)).toBe(false)
    expect(index.has(huge.hash)).toBe(false)
    expect(index.sizeBytes).toBe(220)
  })

  it('ignores a second record of a held hash, keeping its age', () => {
    const index = new DedupIndex({ maxEntries: 2 })
    const [a, b, c] = [chunk(1), chunk(2), chunk(3)]
    index.record(a!.hash, a!.bytes)
    index.record(b!.hash, b!.bytes)
    expect(index.record(a!.hash, a!.bytes)).toBe(false)
    index.record(c!.hash, c!.bytes)
    expect([a, b, c].map((entry) => index.has(entry!.hash))).toEqual([false, true, true])
  })

  it('keeps a copy of the content only when asked to', () => {
    const sender = new DedupIndex()
    const receiver = new DedupIndex({ retainContent: true })
    const { bytes, hash } = chunk(9)
    const original = bytes.slice()
    sender.record(hash, bytes)
    receiver.record(hash, bytes)
    bytes.fill(0)
    expect(sender.get(hash)).toBeUndefined()
    expect(sender.sizeOf(hash)).toBe(100)
    expect(receiver.get(hash)).toEqual(original)
  })

  it('holds the same hashes on both sides after the same sequence of records', () => {
    const step = fc.record({ seed: fc.nat({ max: 30 }), length: fc.integer({ min: 1, max: 400 }) })
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 80 }),
        fc.integer({ min: 1, max: 10 }),
        fc.nat({ max: 2000 }),
        (steps, maxEntries, maxBytes) => {
          const sender = new DedupIndex({ maxEntries, maxBytes })
          const receiver = new DedupIndex({ maxEntries, maxBytes, retainContent: true })
          const seen = steps.map(({ seed, length }) => chunk(seed, length))
          for (const { hash, bytes } of seen) {
            expect(sender.record(hash, bytes)).toBe(receiver.record(hash, bytes))
            expect(sender.entryCount).toBeLessThanOrEqual(maxEntries)
            expect(sender.sizeBytes).toBeLessThanOrEqual(maxBytes)
          }
          for (const { hash, bytes } of seen) {
            expect(sender.has(hash)).toBe(receiver.has(hash))
            if (receiver.has(hash)) expect(receiver.get(hash)).toEqual(bytes)
          }
          expect(sender.sizeBytes).toBe(receiver.sizeBytes)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('refuses bounds outside their domain with DWCP_ERR_INVALID_ARGUMENT', () => {
    for (const bounds of [
      { maxEntries: 0 },
      { maxEntries: 1.5 },
      { maxBytes: -1 },
      { maxBytes: Number.NaN },
    ]) {
      let caught: unknown
      try {
        new DedupIndex(bounds)
      } catch (err) {
        caught = err
      }
      expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT'), JSON.stringify(bounds)).toBe(true)
    }
  })
})
