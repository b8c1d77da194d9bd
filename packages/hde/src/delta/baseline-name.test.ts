import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkChunkId,
  pageBaselineId,
  parseVersionedBaselineName,
  versionedBaselineName,
} from './baseline-name.js'
import { isAllZero } from './delta-page.js'
import { corruptReason, thrownDwcpError } from './test-fixtures/typed-errors.js'

describe('baseline names', () => {
  it('names page i of a chunk, and a version by the CRC32C of its bytes', () => {
    expect(pageBaselineId('vm-7/mem/12', 3)).toBe('vm-7/mem/12/3')
    // crc32c("123456789") = 0xe3069283, the standard check value.
    expect(versionedBaselineName('vm/0', new TextEncoder().encode('123456789'))).toBe('vm/0@e3069283')
    expect(versionedBaselineName('vm/0', new Uint8Array(0))).toBe('vm/0@00000000')
  })

  it('parses what it writes, for any page id (even one holding @)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ maxLength: 64 }),
        (pageId, bytes) => {
          const name = versionedBaselineName(pageId, bytes)
          expect(parseVersionedBaselineName(name).pageId).toBe(pageId)
          expect(versionedBaselineName(pageId, bytes)).toBe(
            `${pageId}@${parseVersionedBaselineName(name).crc32c.toString(16).padStart(8, '0')}`,
          )
        },
      ),
      { seed: 0x4a3e, numRuns: 500 },
    )
  })

  it('refuses names without a well-formed version', () => {
    for (const name of ['vm/0', 'vm/0@', '@e3069283', 'vm/0@E3069283', 'vm/0@e306928', 'vm/0@e30692830']) {
      expect(corruptReason(() => parseVersionedBaselineName(name))).toMatch(/is not <page id>@<crc32c>/)
    }
  })

  it('checks that the longest page name of a chunk fits a frame header', () => {
    checkChunkId('x'.repeat(255 - 9 - 2), 1) // "xxx/0@crc" is 255 bytes
    checkChunkId('x'.repeat(255 - 9 - 3), 100) // "xxx/99@crc" is 255 bytes
    thrownDwcpError(() => checkChunkId('x'.repeat(255 - 9 - 3), 101), 'DWCP_ERR_INVALID_ARGUMENT') // "/100": 256
    thrownDwcpError(() => checkChunkId('é'.repeat(123), 1), 'DWCP_ERR_INVALID_ARGUMENT') // 246 UTF-8 bytes
    thrownDwcpError(() => checkChunkId('', 1), 'DWCP_ERR_INVALID_ARGUMENT')
  })
})

describe('isAllZero', () => {
  it('agrees with a byte-by-byte check on views at any alignment', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 7 }),
        fc.nat({ max: 100 }),
        fc.option(fc.nat(), { nil: undefined }),
        (offset, length, nonZeroAt) => {
          const buffer = new Uint8Array(offset + length + 8)
          if (nonZeroAt !== undefined) buffer[nonZeroAt % buffer.length] = 1
          const view = buffer.subarray(offset, offset + length)
          expect(isAllZero(view)).toBe(view.every((byte) => byte === 0))
        },
      ),
      { seed: 0x2e50, numRuns: 1000 },
    )
  })
})
