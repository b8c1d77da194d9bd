/**
 * The `q`-quantile (0 ≤ q ≤ 1) of ascending `sorted` values by the nearest-rank method; 0 for no values.
 * Nearest rank reports a value that was really observed, which is what a latency summary should show.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1]!
}
