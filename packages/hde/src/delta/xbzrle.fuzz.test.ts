/**
 * Fuzzing the XBZRLE decoder: whatever payload arrives, `decodeXbzrle` returns a page of the baseline's length
 * or throws `DWCP_ERR_FRAME_CORRUPT`; it never throws anything else, never writes outside the page, and refuses
 * every malformed form with a reason.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pagePair } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'
import { corruptReason, decodesOrFrameError } from './test-fixtures/typed-errors.js'
import { decodeXbzrle, encodeXbzrle } from './xbzrle.js'

const page16 = new Uint8Array(16).map((_, i) => i)

/** Payloads made of plausible pairs (small lengths) so the fuzzer reaches the later checks. */
const plausiblePayload = fc
  .array(fc.tuple(fc.nat({ max: 20 }), fc.nat({ max: 20 }), fc.uint8Array({ maxLength: 20 })), {
    maxLength: 6,
  })
  .map((pairs) => new Uint8Array(pairs.flatMap(([zero, literal, bytes]) => [zero, literal, ...bytes])))

describe('decodeXbzrle under fuzzing', () => {
  it('decodes arbitrary payloads to a page of the baseline length, or throws a typed error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), plausiblePayload),
        fc.uint8Array({ maxLength: 64 }),
        (payload, baseline) => {
          let page: Uint8Array | undefined
          if (decodesOrFrameError(() => (page = decodeXbzrle(payload, baseline)))) {
            expect(page).toHaveLength(baseline.length)
            // A payload that decodes describes the page exactly: its own delta brings the same page back.
            const again = encodeXbzrle(page!, baseline, baseline.length + 16)!
            expectSameBytes(decodeXbzrle(again, baseline), page!)
          }
        },
      ),
      { seed: 0xf022, numRuns: 3000 },
    )
  })

  it('rejects every payload cut inside its last literal; other cuts decode or fail typed', () => {
    fc.assert(
      fc.property(pagePair, fc.array(fc.nat(), { maxLength: 8 }), ({ baseline, page }, cuts) => {
        const delta = encodeXbzrle(page, baseline, page.length + 16)!
        fc.pre(delta.length > 0)
        expect(decodesOrFrameError(() => decodeXbzrle(delta.subarray(0, delta.length - 1), baseline))).toBe(
          false,
        )
        for (const cut of cuts) {
          const prefix = delta.subarray(0, cut % delta.length)
          let decoded: Uint8Array | undefined
          if (decodesOrFrameError(() => (decoded = decodeXbzrle(prefix, baseline)))) {
            expect(decoded).toHaveLength(baseline.length)
          }
        }
      }),
      { seed: 0xf023, numRuns: 300 },
    )
  })

  it('rejects appended bytes: they run past the page or are truncated', () => {
    fc.assert(
      fc.property(pagePair, fc.uint8Array({ minLength: 1, maxLength: 4 }), ({ baseline, page }, extra) => {
        const delta = encodeXbzrle(page, baseline, page.length + 16)!
        const longer = new Uint8Array([...delta, ...extra])
        let decoded: Uint8Array | undefined
        if (decodesOrFrameError(() => (decoded = decodeXbzrle(longer, baseline)))) {
          // Extra bytes that happen to form a valid pair describe another page, never an out-of-bounds write.
          expect(decoded).toHaveLength(baseline.length)
        }
      }),
      { seed: 0xf024, numRuns: 500 },
    )
  })

  it('names each malformed form in its reason', () => {
    const cases: [number[], RegExp][] = [
      [[17, 1, 0], /zero run at byte 0 exceeds 16/],
      [
        [0, 10, ...new Array(10).fill(1), 7, 1, 1],
        /zero run at byte 12 of 7 bytes passes the end of a 16-byte page at 10/,
      ],
      [[10, 7], /literal run at byte 1 of 7 bytes passes the end of a 16-byte page at 10/],
      [
        [10, 6, 1, 2, 3, 4, 5, 6, 1, 1, 9],
        /zero run at byte 8 of 1 bytes passes the end of a 16-byte page at 16/,
      ],
      [[0, 0], /literal run at byte 1 is empty/],
      [[0, 1, 9, 0, 1, 9], /zero run at byte 3 is empty after the first pair/],
      [[4], /payload ends after a zero run at byte 0/],
      [[0, 4, 1, 2], /literal at byte 2 is truncated: 4 bytes announced, 2 left/],
      [[0x80], /zero run at byte 0 is truncated/],
      [[0x80, 0x00, 1, 1], /not minimal/],
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80], /longer than 5 bytes/],
      [[0x90, 0x01, 1, 1], /zero run at byte 0 exceeds 16/],
      [[2, 0x80], /literal run at byte 1 is truncated/],
    ]
    for (const [payload, reason] of cases) {
      expect(corruptReason(() => decodeXbzrle(new Uint8Array(payload), page16))).toMatch(reason)
    }
  })

  it('accepts a zero run that ends exactly at the end of the page only with a literal before it', () => {
    expect(decodeXbzrle(new Uint8Array([15, 1, 0xff]), page16)[15]).toBe(15 ^ 0xff)
    expect(corruptReason(() => decodeXbzrle(new Uint8Array([16, 1, 0xff]), page16))).toMatch(/passes the end/)
  })
})
