/**
 * Sizes in bytes. Decimal and binary units are both accepted and never confused: `GB` is 10^9 bytes,
 * `GiB` is 2^30 bytes (IEC 80000-13). The one-letter forms (`32G`, `512M`) are refused as ambiguous.
 * A bare number is bytes, where the key allows it (memory limits require a unit: `32` there is a typo for
 * `32GB` far more often than a 32-byte limit).
 */

import { formatQuantity, parseQuantity, type QuantityKind } from './quantity.js'

const KIB = 1024

/** The size grammar; base unit bytes. */
export const SIZE: QuantityKind = Object.freeze({
  name: 'size',
  baseName: 'bytes',
  units: Object.freeze({
    B: 1,
    KB: 1e3,
    kB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    PB: 1e15,
    KiB: KIB,
    MiB: KIB ** 2,
    GiB: KIB ** 3,
    TiB: KIB ** 4,
    PiB: KIB ** 5,
  }),
  formatUnits: Object.freeze(['PiB', 'PB', 'TiB', 'TB', 'GiB', 'GB', 'MiB', 'MB', 'KiB', 'KB', 'B']),
  ambiguous: Object.freeze(
    Object.fromEntries(
      ['K', 'k', 'M', 'G', 'T', 'P', 'Kb', 'Mb', 'Gb', 'Tb'].map((unit) => {
        const letter = unit[0]!.toUpperCase()
        return [
          unit,
          `write ${letter}B (decimal, 10^${'KMGTP'.indexOf(letter) * 3 + 3} bytes) or ${letter}iB (binary, 2^${'KMGTP'.indexOf(letter) * 10 + 10} bytes)`,
        ]
      }),
    ),
  ),
  example: '32GB',
})

/**
 * Parses a size (`1.5GB` → 1500000000, `512MiB` → 536870912) into bytes. `bareAllowed` lets a bare number
 * stand for bytes. Throws `ConfigInvalidError` at `keyPath` with the reason.
 */
export function parseSizeBytes(input: unknown, keyPath = 'size', bareAllowed = true): number {
  return parseQuantity(input, keyPath, SIZE, bareAllowed)
}

/**
 * Writes bytes with the largest unit that divides them exactly, binary first on a tie of magnitude:
 * 34359738368 → `32GiB`, 32000000000 → `32GB`, 4097 → `4097B`.
 */
export function formatSizeBytes(sizeBytes: number): string {
  return formatQuantity(sizeBytes, SIZE)
}
