/**
 * One step of an exponentially weighted moving average: `alpha · value + (1 − alpha) · previous`. The first
 * value (`previous` undefined) seeds the average.
 */
export function ewmaStep(previous: number | undefined, value: number, alpha: number): number {
  return previous === undefined ? value : alpha * value + (1 - alpha) * previous
}
