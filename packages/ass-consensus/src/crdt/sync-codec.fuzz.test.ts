import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeSyncMessage, encodeSyncMessage, type SyncMessage } from './sync-codec.js'

const TYPED = new Set(['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE'])
const LIMITS = { maxMessageBytes: 4096, maxUpdatesPerBatch: 16 }

const updateBytes = fc.uint8Array({ minLength: 1, maxLength: 64 })
const messageArb: fc.Arbitrary<SyncMessage> = fc.oneof(
  fc.record({
    type: fc.constant('updates' as const),
    updates: fc.array(
      fc.record({ update: updateBytes, originTimeMs: fc.option(fc.maxSafeNat(), { nil: undefined }) }),
      { minLength: 1, maxLength: 16 },
    ),
  }),
  fc.record({
    type: fc.constant('stateVectorRequest' as const),
    stateVector: fc.uint8Array({ maxLength: 64 }),
    reciprocate: fc.boolean(),
  }),
  fc.record({ type: fc.constant('diff' as const), update: updateBytes }),
)

/**
 * Decodes `bytes`: a typed error is a fine outcome, any other exception fails the test, and a message that
 * decodes must re-encode to exactly `bytes` (the encoding is canonical).
 */
function check(bytes: Uint8Array): void {
  let decoded: SyncMessage
  try {
    decoded = decodeSyncMessage(bytes, LIMITS)
  } catch (error) {
    if (!isDwcpError(error) || !TYPED.has(error.code)) throw error
    return
  }
  expect(encodeSyncMessage(decoded)).toEqual(bytes)
}

describe('sync message decoder under fuzzing', () => {
  it('random bytes give a typed error or a canonical message', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 5000 })
  })

  it('random bytes behind a valid version and type byte do too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.uint8Array({ maxLength: 256 }), (type, rest) =>
        check(Uint8Array.of(1, type, ...rest)),
      ),
      { numRuns: 5000 },
    )
  })

  it('valid messages round-trip and every truncation is refused with a typed error', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        const bytes = encodeSyncMessage(message)
        expect(decodeSyncMessage(bytes, LIMITS)).toEqual(message)
        for (let cut = 0; cut < bytes.byteLength; cut++) {
          let error: unknown
          try {
            decodeSyncMessage(bytes.subarray(0, cut), LIMITS)
          } catch (e) {
            error = e
          }
          expect(isDwcpError(error) && TYPED.has(error.code)).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('bit flips of a valid message give a typed error or a canonical message', () => {
    fc.assert(
      fc.property(messageArb, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (message, flips) => {
        const bytes = encodeSyncMessage(message).slice()
        for (const flip of flips) {
          const bit = flip % (bytes.byteLength * 8)
          bytes[bit >> 3] = bytes[bit >> 3]! ^ (1 << (bit & 7))
        }
        check(bytes)
      }),
      { numRuns: 3000 },
    )
  })
})
