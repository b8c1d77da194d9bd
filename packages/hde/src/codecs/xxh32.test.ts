import { describe, expect, it } from 'vitest'
import { xxh32 } from './xxh32.js'

const ascii = (text: string) => new TextEncoder().encode(text)

describe('xxh32', () => {
  // Reference values: the content checksums the `lz4` CLI writes for these inputs, which is XXH32 with seed 0.
  it('matches the reference for short inputs (tail loops only)', () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05)
    expect(xxh32(ascii('hi'))).toBe(0xdaa7a564)
    expect(xxh32(ascii('abc'))).toBe(0x32d153ff)
  })

  it('matches the reference for inputs that use the four-lane loop', () => {
    expect(xxh32(ascii('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f)
    const pattern = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff)
    expect(xxh32(pattern)).toBe(0xa793e7c7)
  })

  it('hashes a view by its own bytes, not its whole buffer', () => {
    const backing = new Uint8Array([0xff, ...ascii('abc'), 0xff])
    expect(xxh32(backing.subarray(1, 4))).toBe(0x32d153ff)
  })
})
