/**
 * Rates in bits per second. Bit units are decimal (`10Gbps`, `100Mbps`, `1.5Gbit/s`, `10Gb/s`: Gbit = 10^9
 * bits, as networks count); byte units multiply by 8 (`125MB/s` = 1 Gbit/s; `MiB/s` is binary). A unit is
 * always required: a bare `10` could be bits, bytes, or gigabits.
 */

import { formatQuantity, parseQuantity, type QuantityKind } from './quantity.js'

const BIT_PREFIXES = [
  ['', 1],
  ['K', 1e3],
  ['k', 1e3],
  ['M', 1e6],
  ['G', 1e9],
  ['T', 1e12],
] as const

function rateUnits(): Record<string, number> {
  const units: Record<string, number> = {}
  // Listed with `bps` first so that a typo such as `Gbs` is matched to `Gbps` before `Gb/s`.
  for (const [prefix, factor] of BIT_PREFIXES) units[`${prefix}bps`] = factor
  for (const [prefix, factor] of BIT_PREFIXES) units[`${prefix}bit/s`] = factor
  for (const [prefix, factor] of BIT_PREFIXES) if (prefix !== '') units[`${prefix}b/s`] = factor
  for (const [prefix, factor] of BIT_PREFIXES) units[`${prefix}B/s`] = factor * 8
  for (const [index, prefix] of ['Ki', 'Mi', 'Gi', 'Ti'].entries())
    units[`${prefix}B/s`] = 1024 ** (index + 1) * 8
  return units
}

/** The rate grammar; base unit bits per second. */
export const RATE: QuantityKind = Object.freeze({
  name: 'rate',
  baseName: 'bits per second',
  units: Object.freeze(rateUnits()),
  formatUnits: Object.freeze(['Tbps', 'Gbps', 'Mbps', 'Kbps', 'bps']),
  example: '10Gbps',
})

/**
 * Parses a rate (`10Gbps`, `1.5Gbit/s`, `125MB/s`) into bits per second. Throws `ConfigInvalidError` at
 * `keyPath` for garbage, negatives, a missing or unknown unit (`10Gbs` suggests `Gbps`) or overflow.
 */
export function parseRateBps(input: unknown, keyPath = 'rate'): number {
  return parseQuantity(input, keyPath, RATE, false)
}

/** Writes bits per second with the largest decimal bit unit that divides them: 1.5e9 → `1500Mbps`. */
export function formatRateBps(rateBps: number): string {
  return formatQuantity(rateBps, RATE)
}
