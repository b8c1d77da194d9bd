import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeRecordsMessage, encodeRecordsMessage } from './records-channel.js'

describe('records messages', () => {
  it('carry the migration id and the records unchanged', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{1,64}$/),
        fc.uint8Array({ maxLength: 256 }),
        fc.boolean(),
        (id, records, encoded) => {
          const decoded = decodeRecordsMessage(encodeRecordsMessage(id, records, encoded))
          expect(decoded.migrationId).toBe(id)
          expect([...decoded.records]).toEqual([...records])
          expect(decoded.encoded).toBe(encoded)
        },
      ),
      { seed: 11, numRuns: 1000 },
    )
  })

  it('give an id and records or a typed error for arbitrary bytes (fuzzed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const { migrationId, records, encoded } = decodeRecordsMessage(bytes)
          // The first byte: the id's length in its low seven bits, the high bit says the records are encoded.
          const idBytes = (bytes[0] as number) & 0x7f
          expect(migrationId.length).toBe(idBytes)
          expect(encoded).toBe((bytes[0] as number) >= 0x80)
          expect(records.byteLength).toBe(bytes.byteLength - 1 - idBytes)
        } catch (error) {
          expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
        }
      }),
      { seed: 12, numRuns: 5000 },
    )
    // The failure CI found when the flag bit came in: a flagged message with a one-byte id.
    expect(decodeRecordsMessage(Uint8Array.from([129, 0]))).toMatchObject({
      migrationId: '\u0000',
      encoded: true,
    })
  })
})
