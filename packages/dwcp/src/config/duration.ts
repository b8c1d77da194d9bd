/**
 * Durations as config files write them (`150ms`, `30s`, `5m`, `1h`, `2.5s`), in whole milliseconds. `m` is
 * minutes (there is no month); a unit is always required because a bare `150` could be either.
 */

import { formatQuantity, parseQuantity, type QuantityKind } from './quantity.js'

/** The duration grammar: units `ms`, `s`, `m`, `h`; base unit milliseconds. */
export const DURATION: QuantityKind = Object.freeze({
  name: 'duration',
  baseName: 'milliseconds',
  units: Object.freeze({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }),
  formatUnits: Object.freeze(['h', 'm', 's', 'ms']),
  ambiguous: Object.freeze({
    M: 'write m for minutes',
    sec: 'write s',
    min: 'write m',
  }),
  example: '30s',
})

/**
 * Parses a duration (`2.5s` → 2500) into milliseconds. Throws `ConfigInvalidError` at `keyPath` for garbage,
 * negatives, a missing or unknown unit, sub-millisecond precision or overflow.
 */
export function parseDurationMs(input: unknown, keyPath = 'duration'): number {
  return parseQuantity(input, keyPath, DURATION, false)
}

/** Writes milliseconds with the largest whole unit: 90000 → `90s`, 300000 → `5m`, 150 → `150ms`. */
export function formatDurationMs(durationMs: number): string {
  return formatQuantity(durationMs, DURATION)
}
