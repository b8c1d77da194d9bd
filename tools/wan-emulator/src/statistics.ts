/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list')
  const sorted = [...values].sort((x, y) => x - y)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** z for a two-sided 99.9 % normal bound: a correct emulator fails a check 1 time in 1000. */
export const Z_999 = 3.2905

/**
 * Half-width of the normal approximation to a binomial count's spread: how far `losses / trials` may stray
 * from the true probability `p` at confidence `z`. At 1 % loss over 5000 packets (50 losses expected, spread
 * ±7) it is ±0.46 percentage points, far wider than 10 % of 1 %: a 10 % relative check needs ~100 000 trials
 * at that confidence.
 */
export function binomialHalfWidth(p: number, trials: number, z = Z_999): number {
  if (trials <= 0) return Number.POSITIVE_INFINITY
  return z * Math.sqrt((p * (1 - p)) / trials)
}

/**
 * Whether `losses` out of `trials` is consistent with loss probability `p`: within the binomial bound at
 * confidence `z`, widened by one packet so that `p = 0` tolerates nothing more than rounding.
 */
export function lossConsistent(losses: number, trials: number, p: number, z = Z_999): boolean {
  if (trials <= 0) return false
  return Math.abs(losses / trials - p) <= binomialHalfWidth(p, trials, z) + 1 / trials
}
