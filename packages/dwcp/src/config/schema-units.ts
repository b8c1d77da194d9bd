/**
 * The quantity types of the configuration schema: durations, sizes and rates written as text (`150ms`, `32GB`,
 * `10Gbps`), parsed by the grammar in quantity.ts, so that the schema and the unit tests share one parser and
 * every reason (a bare number, an unknown or ambiguous unit, overflow) is the parser's.
 */

import * as v from 'valibot'
import { DURATION, formatDurationMs, parseDurationMs } from './duration.js'
import type { QuantityKind } from './quantity.js'
import { parseRateBps, RATE } from './rate.js'
import { type KeyKind, message, meta, reasonOf } from './schema-values.js'
import { parseSizeBytes, SIZE } from './size.js'
import { describeValue } from './suggest.js'

/** The JSON Schema pattern of a quantity: a non-negative number and one of its units. */
function quantityPattern(kind: QuantityKind, bareAllowed: boolean): RegExp {
  const units = Object.keys(kind.units)
    .sort((a, b) => b.length - a.length)
    .map((unit) => unit.replace(/[/.]/g, '\\$&'))
    .join('|')
  return new RegExp(`^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*(${units})${bareAllowed ? '?' : ''}\\s*$`)
}

/**
 * A quantity written as text (`150ms`, `32GB`, `10Gbps`), parsed into its base unit by `parse`, which also
 * gives every reason (a bare number, an unknown or ambiguous unit, overflow), and then checked by `check`.
 */
function quantity(
  kind: QuantityKind,
  keyKind: KeyKind,
  parse: (input: unknown) => number,
  check: (value: number, written: string) => string | undefined,
  description: string,
) {
  const reason = message((input) => {
    try {
      parse(input)
      return `expected a ${kind.name} like ${kind.example}, got ${describeValue(input)}`
    } catch (error) {
      return reasonOf(error)
    }
  })
  return v.optional(
    v.pipe(
      v.string(reason),
      v.regex(quantityPattern(kind, false), reason),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        try {
          const value = parse(dataset.value)
          const refusal = check(value, dataset.value)
          if (refusal === undefined) return value
          addIssue({ message: refusal })
        } catch (error) {
          addIssue({ message: reasonOf(error) })
        }
        return NEVER
      }),
      meta<number>(keyKind, description),
    ),
  )
}

/** A duration in `minMs..maxMs`, in milliseconds. */
export function duration(minMs: number, maxMs: number, description: string) {
  return quantity(
    DURATION,
    'duration',
    (input) => parseDurationMs(input),
    (durationMs, written) =>
      durationMs < minMs || durationMs > maxMs
        ? `expected a duration in ${formatDurationMs(minMs)}..${formatDurationMs(maxMs)}, got ${written}`
        : undefined,
    description,
  )
}

/** A positive size in bytes; the unit is required (see size.ts). */
export function size(description: string) {
  return quantity(
    SIZE,
    'size',
    (input) => parseSizeBytes(input, 'size', false),
    (sizeBytes) => (sizeBytes === 0 ? 'expected a size above 0' : undefined),
    description,
  )
}

/** A positive rate in bits per second. */
export function rate(description: string) {
  return quantity(
    RATE,
    'rate',
    (input) => parseRateBps(input),
    (rateBps) => (rateBps === 0 ? 'expected a rate above 0' : undefined),
    description,
  )
}
