import { describe, expect, it } from 'vitest'
import { PAGE_BYTES, type WriteAt, writePageByPage } from './page-writes.js'

/** A file in memory that records each write call as `[position, length]`. */
function recordingFile(sizeBytes: number, mostPerCall = Number.POSITIVE_INFINITY) {
  const file = new Uint8Array(sizeBytes)
  const calls: [number, number][] = []
  const writeAt: WriteAt = (_fd, bytes, offset, length, position) => {
    const n = Math.min(length, mostPerCall)
    file.set(bytes.subarray(offset, offset + n), position)
    calls.push([position, n])
    return n
  }
  return { file, calls, writeAt }
}

function patterned(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff)
}

describe('writePageByPage', () => {
  it('writes each page of the file with a call of its own', () => {
    const { file, calls, writeAt } = recordingFile(8 * PAGE_BYTES)
    const bytes = patterned(3 * PAGE_BYTES)
    writePageByPage(0, bytes, 2 * PAGE_BYTES, writeAt)
    expect(calls).toEqual([
      [2 * PAGE_BYTES, PAGE_BYTES],
      [3 * PAGE_BYTES, PAGE_BYTES],
      [4 * PAGE_BYTES, PAGE_BYTES],
    ])
    expect(file.subarray(2 * PAGE_BYTES, 5 * PAGE_BYTES)).toEqual(bytes)
  })

  it('keeps to the file page boundaries when the bytes start or end inside a page', () => {
    const { file, calls, writeAt } = recordingFile(4 * PAGE_BYTES)
    const bytes = patterned(2 * PAGE_BYTES)
    writePageByPage(0, bytes, 100, writeAt)
    expect(calls).toEqual([
      [100, PAGE_BYTES - 100],
      [PAGE_BYTES, PAGE_BYTES],
      [2 * PAGE_BYTES, 100],
    ])
    expect(file.subarray(100, 100 + 2 * PAGE_BYTES)).toEqual(bytes)
  })

  it('goes on where a short write stopped, never crossing a page boundary', () => {
    const { file, calls, writeAt } = recordingFile(2 * PAGE_BYTES, 1500)
    const bytes = patterned(2 * PAGE_BYTES)
    writePageByPage(0, bytes, 0, writeAt)
    for (const [position, length] of calls)
      expect(Math.floor(position / PAGE_BYTES)).toBe(Math.floor((position + length - 1) / PAGE_BYTES))
    expect(file).toEqual(bytes)
  })

  it('fails rather than loop when a call writes nothing', () => {
    expect(() => writePageByPage(0, new Uint8Array(10), 0, () => 0)).toThrow(/wrote nothing at offset 0/)
  })
})
