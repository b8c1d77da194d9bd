import { InvalidArgumentError, type PathSample } from '@dwcp/core'

/** Largest window (of samples or of scored forecasts) any baseline keeps. */
export const WINDOW_MAX = 100_000

/** Throws {@link InvalidArgumentError} unless `value` is a finite number ≥ 0. */
function assertNonNegative(argument: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new InvalidArgumentError(argument, `must be a finite number ≥ 0, got ${String(value)}`)
}

/**
 * Checks the numeric fields of a {@link PathSample}: bandwidth, RTT and jitter finite and ≥ 0, loss rate in
 * 0..1. Throws {@link InvalidArgumentError} naming the first bad field.
 */
export function assertValidSample(sample: PathSample): void {
  assertNonNegative('sample.bandwidthBps', sample.bandwidthBps)
  assertNonNegative('sample.rttMs', sample.rttMs)
  assertNonNegative('sample.jitterMs', sample.jitterMs)
  assertNonNegative('sample.lossRate', sample.lossRate)
  if (sample.lossRate > 1)
    throw new InvalidArgumentError('sample.lossRate', `must be within 0..1, got ${sample.lossRate}`)
}

/** Returns `value`, or throws {@link InvalidArgumentError} unless it is an integer in 1..{@link WINDOW_MAX}. */
export function windowSize(argument: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > WINDOW_MAX)
    throw new InvalidArgumentError(argument, `must be an integer in 1..${WINDOW_MAX}, got ${String(value)}`)
  return value
}

/** Returns `value`, or throws {@link InvalidArgumentError} unless it is a finite number > 0. */
export function positiveDuration(argument: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError(argument, `must be a finite number > 0, got ${String(value)}`)
  return value
}

/** Returns `value`, or throws {@link InvalidArgumentError} unless it is a smoothing factor in (0, 1]. */
export function smoothingFactor(argument: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1))
    throw new InvalidArgumentError(argument, `must be within (0, 1], got ${String(value)}`)
  return value
}
