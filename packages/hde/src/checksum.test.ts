import { crc32c } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { frameCrc32c } from './checksum.js'

describe('frameCrc32c', () => {
  it('gives the CRC32C check value', () => {
    expect(frameCrc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
    expect(frameCrc32c(new Uint8Array(0))).toBe(0)
  })

  it('equals the table-driven CRC32C of @dwcp/core, in one piece and continued', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(), (bytes, cutSeed) => {
        const cut = bytes.length === 0 ? 0 : cutSeed % bytes.length
        expect(frameCrc32c(bytes)).toBe(crc32c(bytes))
        expect(frameCrc32c(bytes.subarray(cut), frameCrc32c(bytes.subarray(0, cut)))).toBe(crc32c(bytes))
      }),
    )
  })

  it('reads a view at its offset, not its whole buffer', () => {
    const backing = new Uint8Array(64).map((_, i) => i)
    const view = backing.subarray(10, 30)
    expect(frameCrc32c(view)).toBe(crc32c(new Uint8Array(view)))
  })
})
