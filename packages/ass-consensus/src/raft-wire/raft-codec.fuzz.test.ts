import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeRaftMessage, encodeRaftMessage } from './raft-codec.js'
import { messageArb } from './test-fixtures/arbitraries.js'

const TYPED = new Set(['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE'])
const LIMITS = { maxMessageBytes: 4096, maxEntries: 16, maxIdBytes: 32 }

/**
 * Decodes `bytes`; a typed error is a fine outcome, any other exception fails the test, and a message that
 * decodes must re-encode to exactly `bytes` (the encoding is canonical, so garbage cannot alias a message).
 */
function check(bytes: Uint8Array): void {
  let decoded: ReturnType<typeof decodeRaftMessage>
  try {
    decoded = decodeRaftMessage(bytes, LIMITS)
  } catch (error) {
    if (!isDwcpError(error) || !TYPED.has(error.code)) throw error
    return
  }
  expect(encodeRaftMessage(decoded)).toEqual(bytes)
}

describe('raft message decoder under fuzzing', () => {
  it('random bytes give a typed error or a canonical message', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 5000 })
  })

  it('random bytes behind a valid version and type byte do too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.uint8Array({ maxLength: 256 }), (type, rest) =>
        check(Uint8Array.of(1, type, ...rest)),
      ),
      { numRuns: 5000 },
    )
  })

  it('every truncation of a valid message is refused with a typed error', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const bytes = encodeRaftMessage(m)
        if (bytes.byteLength > LIMITS.maxMessageBytes) return
        for (let cut = 0; cut < bytes.byteLength; cut++) {
          const error = (() => {
            try {
              decodeRaftMessage(bytes.subarray(0, cut), LIMITS)
              return undefined
            } catch (e) {
              return e
            }
          })()
          expect(isDwcpError(error) && TYPED.has(error.code)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('bit flips of a valid message give a typed error or a canonical message', () => {
    fc.assert(
      fc.property(messageArb, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (m, flips) => {
        const bytes = encodeRaftMessage(m).slice()
        for (const flip of flips) {
          const bit = flip % (bytes.byteLength * 8)
          bytes[bit >> 3] = bytes[bit >> 3]! ^ (1 << (bit & 7))
        }
        check(bytes)
      }),
      { numRuns: 5000 },
    )
  })

  it('random splices of two valid messages give a typed error or a canonical message', () => {
    fc.assert(
      fc.property(messageArb, messageArb, fc.nat(), fc.nat(), (a, b, i, j) => {
        const x = encodeRaftMessage(a)
        const y = encodeRaftMessage(b)
        check(Uint8Array.of(...x.subarray(0, i % (x.byteLength + 1)), ...y.subarray(j % (y.byteLength + 1))))
      }),
      { numRuns: 2000 },
    )
  })
})
