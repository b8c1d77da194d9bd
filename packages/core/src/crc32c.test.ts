import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32c } from './crc32c.js'

/** Bit-at-a-time CRC32C, straight from the definition: the reference the table-driven version must match. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return ~crc >>> 0
}

describe('crc32c', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
  })

  it('gives 0 for no bytes and the published values for 32 zero and 32 0xff bytes (RFC 3720 B.4)', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
  })

  it('matches the bit-at-a-time definition for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32c(bytes)).toBe(crc32cBitwise(bytes))
      }),
      { numRuns: 1000 },
    )
  })

  it('continues across pieces: crc32c(b, crc32c(a)) = crc32c(a ++ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length)
        joined.set(a)
        joined.set(b, a.length)
        expect(crc32c(b, crc32c(a))).toBe(crc32c(joined))
      }),
      { numRuns: 1000 },
    )
  })

  it('reads only the view it is given, not the whole underlying buffer', () => {
    const buffer = new Uint8Array([0xaa, ...new TextEncoder().encode('123456789'), 0xbb])
    expect(crc32c(buffer.subarray(1, 10))).toBe(0xe3069283)
  })
})
