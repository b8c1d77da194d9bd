import { randomBytes } from 'node:crypto'
import { crc32c } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { nativeStatus } from '../loader.js'
import { nativeCrc32c } from './crc32c.js'

const available = nativeStatus().available
if (!available && process.env.DWCP_REQUIRE_NATIVE === '1')
  throw new Error('DWCP_REQUIRE_NATIVE=1 but the addon is unavailable')

describe.skipIf(!available)('native crc32c', () => {
  it('matches the reference on the check value, random data and continuation', () => {
    const native = nativeCrc32c()
    expect(native).toBeDefined()
    const fn = native as (bytes: Uint8Array, previous?: number) => number
    expect(fn(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
    for (const size of [0, 1, 7, 8, 9, 63, 4096, 262_144 + 3]) {
      const bytes = randomBytes(size)
      expect(fn(bytes)).toBe(crc32c(bytes))
      const cut = Math.floor(size / 3)
      expect(fn(bytes.subarray(cut), fn(bytes.subarray(0, cut)))).toBe(crc32c(bytes))
    }
  })
})
