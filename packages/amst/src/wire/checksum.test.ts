import { randomBytes } from 'node:crypto'
import { crc32c } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { frameCrc32c, useCrc32c } from './checksum.js'

describe('frame checksum', () => {
  it('refuses an implementation that disagrees with CRC32C and keeps the reference', () => {
    expect(useCrc32c(() => 42)).toBe(false)
    const bytes = randomBytes(1000)
    expect(frameCrc32c(bytes)).toBe(crc32c(bytes))
  })

  it('takes one that agrees', () => {
    expect(useCrc32c((bytes, previous) => crc32c(bytes, previous))).toBe(true)
    expect(frameCrc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
  })
})
