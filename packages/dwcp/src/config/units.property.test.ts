import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DURATION, formatDurationMs, parseDurationMs } from './duration.js'
import type { QuantityKind } from './quantity.js'
import { formatRateBps, parseRateBps, RATE } from './rate.js'
import { formatSizeBytes, parseSizeBytes, SIZE } from './size.js'

const safe = fc.maxSafeInteger().filter((value) => value >= 0)
const smallish = fc.integer({ min: 0, max: 1_000_000 })

/** A written quantity: a whole or decimal number and one of the kind's units. */
function written(kind: QuantityKind): fc.Arbitrary<string> {
  return fc
    .tuple(
      smallish,
      fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
      fc.constantFrom(...Object.keys(kind.units)),
    )
    .map(([whole, fraction, unit]) => `${whole}${fraction === undefined ? '' : `.${fraction}`}${unit}`)
}

/** The value `text` denotes, or undefined when the parser (rightly) refuses it as a fraction of the base unit. */
function parseOrUndefined(parse: (text: string) => number, text: string): number | undefined {
  try {
    return parse(text)
  } catch {
    return undefined
  }
}

describe.each([
  ['duration', DURATION, parseDurationMs, formatDurationMs],
  ['size', SIZE, (text: unknown) => parseSizeBytes(text), formatSizeBytes],
  ['rate', RATE, parseRateBps, formatRateBps],
] as const)('%s', (_name, kind, parse, format) => {
  it('parse(format(value)) is value for every safe integer', () => {
    fc.assert(fc.property(fc.oneof(safe, smallish), (value) => parse(format(value)) === value))
  })

  it('format(parse(text)) denotes the same value as text', () => {
    fc.assert(
      fc.property(written(kind), (text) => {
        const value = parseOrUndefined(parse, text)
        if (value === undefined) return true
        expect(parse(format(value))).toBe(value)
        expect(format(parse(format(value)))).toBe(format(value))
        return true
      }),
    )
  })

  it('refuses every negative quantity and never throws anything but a config error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (text) => {
        try {
          parse(text)
        } catch (error) {
          expect((error as { code?: string }).code).toBe('DWCP_ERR_CONFIG_INVALID')
        }
      }),
    )
    fc.assert(
      fc.property(written(kind), (text) => {
        expect(() => parse(`-${text}`)).toThrow(/negative/)
      }),
    )
  })
})
