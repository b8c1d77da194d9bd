/**
 * Test support: a fast byte comparison. Deep equality on large typed arrays walks them element by element and
 * costs milliseconds per page; this compares natively and, on a mismatch, names the first differing byte.
 */
import { expect } from 'vitest'

/** Asserts that `actual` holds exactly the bytes of `expected`. */
export function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array, what = 'bytes'): void {
  expect(actual, `${what}: missing`).toBeDefined()
  const a = Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength)
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)
  if (a.equals(b)) return
  let first = 0
  while (first < Math.min(a.length, b.length) && a[first] === b[first]) first++
  expect.fail(`${what}: ${a.length} bytes, expected ${b.length}; first difference at byte ${first}`)
}
