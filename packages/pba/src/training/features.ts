/**
 * The features one path observation contributes to a model's input sequence, in this order. Throughput enters
 * in log space: multiplicative changes (a link halving) are what matter, and a log makes a 1 Mbit/s path and
 * a 10 Gbit/s path differ by a shift rather than by four orders of magnitude.
 */
export const FEATURE_NAMES = [
  'logThroughputMbps',
  'logThroughputChange',
  'logRttMs',
  'lossRate',
  'logJitterMs',
  'timeOfDaySin',
  'timeOfDayCos',
] as const

/** Number of features per time step ({@link FEATURE_NAMES}). */
export const FEATURE_COUNT = FEATURE_NAMES.length

/** Throughputs below this count as this, so that the log stays finite. */
export const THROUGHPUT_FLOOR_BPS = 1e3

const SECONDS_PER_DAY = 86_400

/** What one time step of the model sees of the path. */
export interface FeatureSample {
  /** Delivered throughput in bit/s; 0 means nothing was measured (the last measured value carries on). */
  bandwidthBps: number
  /** Round-trip time in milliseconds. */
  rttMs: number
  /** Loss rate, 0..1. */
  lossRate: number
  /** Round-trip time variation in milliseconds. */
  jitterMs: number
  /** Seconds since midnight (UTC) when the sample was taken; undefined when no wall clock is known. */
  timeOfDaySeconds?: number | undefined
}

/** Natural log of a throughput in Mbit/s, with {@link THROUGHPUT_FLOOR_BPS} as the floor. */
export function logThroughputMbps(bandwidthBps: number): number {
  return Math.log(Math.max(bandwidthBps, THROUGHPUT_FLOOR_BPS) / 1e6)
}

/** Inverse of {@link logThroughputMbps} (above the floor): bit/s from a log throughput in Mbit/s. */
export function bandwidthBpsFromLog(logMbps: number): number {
  return Math.exp(logMbps) * 1e6
}

/**
 * Turns a stream of samples into raw (not yet normalised) feature rows. Stateful because the throughput change
 * and the carried-on throughput of an unmeasured step depend on the previous step. The same code builds the
 * training set from traces and the live input of a predictor, so the two cannot drift apart.
 */
export class FeatureExtractor {
  #lastLogMbps: number | undefined

  /**
   * The raw feature row of `sample`, or undefined while no throughput has been measured yet (there is nothing
   * to carry on).
   */
  next(sample: FeatureSample): Float64Array | undefined {
    const measured = sample.bandwidthBps > 0
    if (!measured && this.#lastLogMbps === undefined) return undefined
    const logMbps = measured ? logThroughputMbps(sample.bandwidthBps) : this.#lastLogMbps!
    const row = new Float64Array(FEATURE_COUNT)
    row[0] = logMbps
    row[1] = this.#lastLogMbps === undefined ? 0 : logMbps - this.#lastLogMbps
    row[2] = Math.log1p(sample.rttMs)
    row[3] = sample.lossRate
    row[4] = Math.log1p(sample.jitterMs)
    if (sample.timeOfDaySeconds !== undefined) {
      // A point on the unit circle, so that 23:59 and 00:00 are neighbours; (0, 0) means "unknown".
      const angle = (2 * Math.PI * (sample.timeOfDaySeconds % SECONDS_PER_DAY)) / SECONDS_PER_DAY
      row[5] = Math.sin(angle)
      row[6] = Math.cos(angle)
    }
    this.#lastLogMbps = logMbps
    return row
  }
}

/**
 * Raw feature rows of a throughput trace (one row per second), as a predictor would see it with
 * `bandwidthBps = mbps · 10⁶ · scale` and no RTT, loss, jitter or wall clock: the traces hold throughput only,
 * so those features stay 0 and the normalisation fitted on them pins them (see `fitNormalization`).
 * `rows[i]` is undefined until the first measured second.
 */
export function traceFeatureRows(mbps: Float64Array, scale = 1): Array<Float64Array | undefined> {
  const extractor = new FeatureExtractor()
  return Array.from(mbps, (value) =>
    extractor.next({ bandwidthBps: value * 1e6 * scale, rttMs: 0, lossRate: 0, jitterMs: 0 }),
  )
}
