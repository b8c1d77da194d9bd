import { InvalidArgumentError } from '@dwcp/core'
import { assertValidSequence } from './gru-model.js'

/** Longest feature or target name accepted. */
const NAME_LENGTH_MAX = 256

/** How the predicted value maps back to the target's units: `raw = normalised · scale + mean`. */
export interface TargetNormalization {
  /** What the target is, e.g. `log_mbps_next`. */
  name: string
  /** Mean subtracted from the raw target in training. */
  mean: number
  /** Divisor of the centred raw target in training (> 0). */
  scale: number
}

/**
 * How raw features were normalised for training, `normalised = (raw − mean) / scale` per feature, stored in
 * the model file so a model carries its own input contract.
 */
export interface FeatureNormalization {
  /** Feature names in input order, e.g. `['log_mbps', 'delta_log_mbps']`. */
  names: string[]
  /** Per-feature means, same order. */
  means: number[]
  /** Per-feature scales (> 0), same order. */
  scales: number[]
  /** Mapping of the prediction back to target units; absent when the target was not normalised. */
  target?: TargetNormalization
}

function name(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > NAME_LENGTH_MAX)
    throw new InvalidArgumentError(argument, `must be a string of 1..${NAME_LENGTH_MAX} characters`)
  return value
}

function finite(value: unknown, argument: string, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && !(value > 0)))
    throw new InvalidArgumentError(
      argument,
      `must be a finite number${positive ? ' > 0' : ''}, got ${String(value)}`,
    )
  return value
}

function numbers(value: unknown, count: number, argument: string, positive: boolean): number[] {
  if (!Array.isArray(value) || value.length !== count)
    throw new InvalidArgumentError(argument, `must be an array of ${count} numbers`)
  return value.map((v, i) => finite(v, `${argument}[${i}]`, positive))
}

/**
 * Checks an untrusted value (from a caller or a model file's JSON) against {@link FeatureNormalization} for
 * `featureCount` features and returns a clean copy holding only the known fields.
 *
 * @throws InvalidArgumentError naming the first bad field
 */
export function parseNormalization(
  value: unknown,
  featureCount: number,
  argument = 'normalization',
): FeatureNormalization {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError(argument, 'must be an object')
  const record = value as Record<string, unknown>
  if (!Array.isArray(record.names) || record.names.length !== featureCount)
    throw new InvalidArgumentError(`${argument}.names`, `must name ${featureCount} features`)
  const names = record.names.map((n, i) => name(n, `${argument}.names[${i}]`))
  const result: FeatureNormalization = {
    names,
    means: numbers(record.means, featureCount, `${argument}.means`, false),
    scales: numbers(record.scales, featureCount, `${argument}.scales`, true),
  }
  if (record.target !== undefined) {
    const target = record.target as Record<string, unknown>
    if (typeof target !== 'object' || target === null)
      throw new InvalidArgumentError(`${argument}.target`, 'must be an object')
    result.target = {
      name: name(target.name, `${argument}.target.name`),
      mean: finite(target.mean, `${argument}.target.mean`),
      scale: finite(target.scale, `${argument}.target.scale`, true),
    }
  }
  return result
}

/**
 * Normalises a raw window (T steps of the features `normalization.names` lists) into the float32 steps a
 * model takes.
 *
 * @throws InvalidArgumentError when a step has the wrong number of features or a non-finite one
 */
export function normalizeSequence(
  normalization: FeatureNormalization,
  raw: readonly ArrayLike<number>[],
): Float32Array[] {
  const count = normalization.names.length
  assertValidSequence(raw, count, 'sequence')
  return raw.map((step) => {
    const out = new Float32Array(count)
    for (let f = 0; f < count; f++) out[f] = (step[f]! - normalization.means[f]!) / normalization.scales[f]!
    return out
  })
}

/** Maps a model output back to target units; returns it unchanged when the target was not normalised. */
export function denormalizeTarget(normalization: FeatureNormalization, prediction: number): number {
  const target = normalization.target
  return target ? prediction * target.scale + target.mean : prediction
}
