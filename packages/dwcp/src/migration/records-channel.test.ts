import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeRecordsMessage, encodeRecordsMessage } from './records-channel.js'

describe('records messages', () => {
  it('carry the migration id and the records unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{1,64}$/), fc.uint8Array({ maxLength: 256 }), (id, records) => {
        const decoded = decodeRecordsMessage(encodeRecordsMessage(id, records))
        expect(decoded.migrationId).toBe(id)
        expect([...decoded.records]).toEqual([...records])
      }),
    )
  })

  it('give an id and records or a typed error for arbitrary bytes (fuzzed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const { migrationId, records } = decodeRecordsMessage(bytes)
          expect(migrationId.length).toBe(bytes[0])
          expect(records.byteLength).toBe(bytes.byteLength - 1 - bytes[0]!)
        } catch (error) {
          expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
        }
      }),
    )
  })
})
