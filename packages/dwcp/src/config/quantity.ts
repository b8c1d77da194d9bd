/**
 * The shared grammar of durations, sizes and rates: a non-negative decimal number, optional spaces, a unit
 * (`150ms`, `1.5GB`, `10Gbps`). Values are computed exactly with BigInt (no `1.1 * 1e9` rounding) and must
 * come out as a whole number of the base unit and at most `Number.MAX_SAFE_INTEGER`.
 */

import { ConfigInvalidError, InvalidArgumentError } from '@dwcp/core'
import { describeValue, didYouMean } from './suggest.js'

/** How one kind of quantity is written. */
export interface QuantityKind {
  /** Name in reasons: `duration`, `size`, `rate`. */
  readonly name: string
  /** Name of the base unit in reasons: `milliseconds`, `bytes`, `bits per second`. */
  readonly baseName: string
  /** Every accepted unit and how many base units it is (integers). */
  readonly units: Readonly<Record<string, number>>
  /** Units `format` may choose from, largest first; each must be in `units`. */
  readonly formatUnits: readonly string[]
  /** Units refused because they mean different things to different people, with the advice to give. */
  readonly ambiguous?: Readonly<Record<string, string>>
  /** An example for reasons, e.g. `30s`. */
  readonly example: string
}

/** Longest text accepted; anything longer cannot be a sensible quantity. */
const MAX_TEXT_LENGTH = 64

const GRAMMAR = /^([+-]?)(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z/]*)$/

/**
 * Parses `input` as a quantity of `kind` into base units. A bare number (YAML `4096` or the text `"4096"`) is
 * accepted only when `bareAllowed` (then it is in base units). Throws {@link ConfigInvalidError} at
 * `keyPath` with the reason otherwise.
 */
export function parseQuantity(
  input: unknown,
  keyPath: string,
  kind: QuantityKind,
  bareAllowed: boolean,
): number {
  const unitList = Object.keys(kind.units).join(', ')
  if (typeof input === 'number') {
    if (!Number.isFinite(input))
      throw new ConfigInvalidError(keyPath, `expected a ${kind.name} like ${kind.example}, got ${input}`)
    if (!bareAllowed)
      throw new ConfigInvalidError(
        keyPath,
        `missing unit: expected a ${kind.name} like ${kind.example}, got the bare number ${input} (units: ${unitList})`,
      )
    if (input < 0) throw new ConfigInvalidError(keyPath, `a ${kind.name} must not be negative, got ${input}`)
    if (!Number.isInteger(input))
      throw new ConfigInvalidError(keyPath, `${input} is not a whole number of ${kind.baseName}`)
    return checkBase(BigInt(input), String(input), keyPath, kind)
  }
  if (typeof input !== 'string')
    throw new ConfigInvalidError(
      keyPath,
      `expected a ${kind.name} like ${kind.example}, got ${describeValue(input)}`,
    )
  const text = input.trim()
  const match = text.length <= MAX_TEXT_LENGTH ? GRAMMAR.exec(text) : null
  if (!match)
    throw new ConfigInvalidError(
      keyPath,
      `not a ${kind.name}: ${JSON.stringify(input.slice(0, MAX_TEXT_LENGTH))} (expected a non-negative number and a unit, like ${kind.example})`,
    )
  const [, sign, digits, unit] = match as unknown as [string, string, string, string]
  if (sign === '-')
    throw new ConfigInvalidError(keyPath, `a ${kind.name} must not be negative, got ${JSON.stringify(text)}`)
  let multiplier: number | undefined
  if (unit === '') {
    if (!bareAllowed)
      throw new ConfigInvalidError(
        keyPath,
        `missing unit in ${JSON.stringify(text)}: expected a ${kind.name} like ${kind.example} (units: ${unitList})`,
      )
    multiplier = 1
  } else {
    multiplier = Object.hasOwn(kind.units, unit) ? kind.units[unit] : undefined
  }
  if (multiplier === undefined) {
    const advice = kind.ambiguous && Object.hasOwn(kind.ambiguous, unit) ? kind.ambiguous[unit] : undefined
    if (advice !== undefined)
      throw new ConfigInvalidError(
        keyPath,
        `ambiguous unit ${JSON.stringify(unit)} in ${JSON.stringify(text)}: ${advice}`,
      )
    throw new ConfigInvalidError(
      keyPath,
      `unknown unit ${JSON.stringify(unit)} in ${JSON.stringify(text)}${didYouMean(unit, Object.keys(kind.units))} (units: ${unitList})`,
    )
  }
  const [whole, fraction = ''] = digits.split('.')
  const scaled = BigInt(`${whole || '0'}${fraction}`) * BigInt(multiplier)
  const divisor = 10n ** BigInt(fraction.length)
  if (scaled % divisor !== 0n)
    throw new ConfigInvalidError(keyPath, `${JSON.stringify(text)} is not a whole number of ${kind.baseName}`)
  return checkBase(scaled / divisor, text, keyPath, kind)
}

/** Refuses values a double cannot hold exactly. */
function checkBase(value: bigint, text: string, keyPath: string, kind: QuantityKind): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ConfigInvalidError(
      keyPath,
      `${JSON.stringify(text)} is too large (more than ${Number.MAX_SAFE_INTEGER} ${kind.baseName})`,
    )
  return Number(value)
}

/**
 * Writes `value` base units with the largest of `kind.formatUnits` that divides it exactly, so that parsing
 * the text gives `value` back. Throws {@link InvalidArgumentError} for a negative, fractional or unsafe value.
 */
export function formatQuantity(value: number, kind: QuantityKind): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(kind.name, `must be a whole number of ${kind.baseName} ≥ 0, got ${value}`)
  const smallest = kind.formatUnits[kind.formatUnits.length - 1] as string
  if (value === 0) return `0${smallest}`
  for (const unit of kind.formatUnits) {
    const multiplier = kind.units[unit] as number
    if (value % multiplier === 0) return `${value / multiplier}${unit}`
  }
  return `${value}${smallest}`
}
