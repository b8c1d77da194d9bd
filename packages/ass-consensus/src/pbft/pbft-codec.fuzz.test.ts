import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePbftMessage, encodePbftMessage } from './pbft-codec.js'
import { pbftMessageArb } from './test-fixtures/arbitraries.js'

const TYPED = new Set(['DWCP_ERR_FRAME_CORRUPT', 'DWCP_ERR_FRAME_TOO_LARGE'])
const LIMITS = {
  maxMessageBytes: 8192,
  maxBatchRequests: 8,
  maxCertificates: 8,
  maxReplicas: 16,
  maxIdBytes: 16,
  maxSignatureBytes: 64,
  maxClients: 8,
}

/**
 * Decodes `bytes`: a typed error is fine, any other exception fails the test, and a message that decodes must
 * re-encode to exactly `bytes` (the encoding is canonical, so garbage cannot alias a signed message).
 */
function check(bytes: Uint8Array): void {
  let decoded: ReturnType<typeof decodePbftMessage>
  try {
    decoded = decodePbftMessage(bytes, LIMITS)
  } catch (error) {
    if (!isDwcpError(error) || !TYPED.has(error.code)) throw error
    return
  }
  expect(encodePbftMessage(structuredClone(decoded))).toEqual(bytes)
}

describe('PBFT message decoder under fuzzing', () => {
  it('random bytes give a typed error or a canonical message', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), check), { numRuns: 5000 })
  })

  it('random bytes behind a valid version and type byte do too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.uint8Array({ maxLength: 256 }), (type, rest) =>
        check(Uint8Array.of(1, type, ...rest)),
      ),
      { numRuns: 5000 },
    )
  })

  it('every truncation of a valid message is refused with a typed error', () => {
    fc.assert(
      fc.property(pbftMessageArb, (m) => {
        const bytes = encodePbftMessage(m)
        for (let cut = 0; cut < bytes.byteLength; cut++) {
          let error: unknown
          try {
            decodePbftMessage(bytes.slice(0, cut), LIMITS)
          } catch (e) {
            error = e
          }
          expect(isDwcpError(error) && TYPED.has(error.code)).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('bit flips of a valid message give a typed error or a canonical message', () => {
    fc.assert(
      fc.property(pbftMessageArb, fc.nat(), fc.nat({ max: 7 }), (m, at, bit) => {
        const bytes = encodePbftMessage(m).slice()
        const i = at % bytes.byteLength
        bytes[i] = bytes[i]! ^ (1 << bit)
        check(bytes)
      }),
      { numRuns: 3000 },
    )
  })
})
