import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { corruptReason } from './test-fixtures/typed-errors.js'
import { readUleb128, ULEB128_MAX_BYTES, uleb128Bytes, writeUleb128 } from './uleb128.js'

const U32_MAX = 0xffff_ffff

describe('ULEB128', () => {
  it('writes the known encodings', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [1, [0x01]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]],
      [4096, [0x80, 0x20]],
      [U32_MAX, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ]
    for (const [value, bytes] of cases) {
      const out = new Uint8Array(ULEB128_MAX_BYTES)
      expect(writeUleb128(value, out, 0, out.length)).toBe(bytes.length)
      expect([...out.subarray(0, bytes.length)]).toEqual(bytes)
      expect(uleb128Bytes(value)).toBe(bytes.length)
    }
  })

  it('round-trips every 32-bit value and reports the next offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: U32_MAX }), fc.nat({ max: 4 }), (value, offset) => {
        const out = new Uint8Array(offset + ULEB128_MAX_BYTES)
        const end = writeUleb128(value, out, offset, out.length)
        expect(end - offset).toBe(uleb128Bytes(value))
        expect(readUleb128(out, offset, U32_MAX, 'value')).toEqual({ value, next: end })
      }),
      { seed: 0x5eed, numRuns: 1000 },
    )
  })

  it('refuses to write past the limit', () => {
    const out = new Uint8Array(4)
    expect(writeUleb128(300, out, 3, 4)).toBe(-1)
    expect(writeUleb128(5, out, 4, 4)).toBe(-1)
    expect(writeUleb128(5, out, 3, 4)).toBe(4)
  })

  it('rejects truncated, overlong, non-minimal and out-of-range values with typed errors', () => {
    expect(corruptReason(() => readUleb128(new Uint8Array([0x80]), 0, U32_MAX, 'run'))).toMatch(
      /run at byte 0 is truncated/,
    )
    expect(corruptReason(() => readUleb128(new Uint8Array([]), 0, U32_MAX, 'run'))).toMatch(/truncated/)
    expect(
      corruptReason(() =>
        readUleb128(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0, 2 ** 40, 'run'),
      ),
    ).toMatch(/longer than 5 bytes/)
    expect(corruptReason(() => readUleb128(new Uint8Array([0x81, 0x00]), 0, U32_MAX, 'run'))).toMatch(
      /not minimal/,
    )
    expect(corruptReason(() => readUleb128(new Uint8Array([0x80, 0x21]), 0, 4096, 'run'))).toMatch(
      /exceeds 4096/,
    )
  })
})
