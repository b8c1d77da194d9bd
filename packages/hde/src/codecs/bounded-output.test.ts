import { describe, expect, it } from 'vitest'
import { BoundedOutput } from './bounded-output.js'
import { isError, thrown } from './test-fixtures/test-errors.js'

describe('BoundedOutput', () => {
  it('allocates an exact size once and refuses a write past it', () => {
    const output = new BoundedOutput({ exactBytes: 5, maxBytes: 100 })
    expect(output.spare()).toHaveLength(5)
    output.write(new Uint8Array([1, 2, 3]))
    expect(output.remainingBytes).toBe(2)
    const err = thrown(() => output.write(new Uint8Array(3)))
    expect(isError(err, 'DWCP_ERR_FRAME_CORRUPT', /at least 6 bytes, more than the announced 5/)).toBe(true)
    output.write(new Uint8Array([4, 5]))
    expect(output.finish()).toEqual(new Uint8Array([1, 2, 3, 4, 5]))
    expect(output.spare()).toHaveLength(0)
  })

  it('grows by doubling up to its bound, then offers no more space', () => {
    const output = new BoundedOutput({ maxBytes: 200_000 })
    const sizes: number[] = []
    for (;;) {
      const spare = output.spare()
      if (spare.length === 0) break
      sizes.push(output.lengthBytes + spare.length)
      spare.fill(7)
      output.commit(spare.length)
    }
    expect(sizes).toEqual([65_536, 131_072, 200_000])
    const bytes = output.finish()
    expect(bytes.length).toBe(200_000)
    expect(bytes.every((byte) => byte === 7)).toBe(true)
    expect(
      isError(
        thrown(() => output.write(new Uint8Array(1))),
        'DWCP_ERR_FRAME_CORRUPT',
        /bound of 200000/,
      ),
    ).toBe(true)
  })

  it('returns an exact-length copy when capacity is left over', () => {
    const output = new BoundedOutput({ maxBytes: 1000 })
    output.write(new Uint8Array([9, 8, 7]))
    const bytes = output.finish()
    expect(bytes).toEqual(new Uint8Array([9, 8, 7]))
    expect(bytes.buffer.byteLength).toBe(3)
  })

  it('gives the last bytes written as history', () => {
    const output = new BoundedOutput({ maxBytes: 10 })
    expect(output.tail(4)).toHaveLength(0)
    output.write(new Uint8Array([1, 2, 3, 4, 5, 6]))
    expect(output.tail(4)).toEqual(new Uint8Array([3, 4, 5, 6]))
    expect(output.tail(100)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6]))
  })

  it('treats a commit outside the spare view as a broken invariant', () => {
    const output = new BoundedOutput({ exactBytes: 2, maxBytes: 2 })
    expect(() => output.commit(3)).toThrow(RangeError)
    expect(() => output.commit(-1)).toThrow(RangeError)
  })
})
