import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { GEAR_SEED, gear } from './gear.js'

/** The table serialized as 256 big-endian u32 values, the form the known-answer digest is pinned on. */
function serialize(table: Int32Array): Buffer {
  const bytes = Buffer.alloc(table.length * 4)
  table.forEach((value, i) => {
    bytes.writeInt32BE(value, i * 4)
  })
  return bytes
}

describe('gear table (part of the chunking format)', () => {
  it('is built from the documented seed', () => {
    expect(GEAR_SEED).toBe('dwcp/hde/fastcdc/gear/v1')
    const table = gear()
    expect(table).toHaveLength(256)
    for (const i of [0, 1, 127, 200, 255]) {
      const digest = createHash('sha256')
        .update(Buffer.concat([Buffer.from(GEAR_SEED, 'ascii'), Buffer.of(i)]))
        .digest()
      expect(table[i], `entry ${i}`).toBe(digest.readInt32BE(0))
    }
  })

  it('matches the pinned known-answer vector', () => {
    const table = gear()
    expect((table[0]! >>> 0).toString(16)).toBe('26ea6cc4')
    expect((table[1]! >>> 0).toString(16)).toBe('bd6c5969')
    expect((table[255]! >>> 0).toString(16)).toBe('289bcf88')
    expect(createHash('sha256').update(serialize(table)).digest('hex')).toBe(
      'eeba4dd2a2dd1f41414cd51c4dd76b323eec9c4f626436a9677d5901c4c629f4',
    )
  })

  it('is built once and shared', () => {
    expect(gear()).toBe(gear())
  })
})
