import { InvalidArgumentError } from '@dwcp/core'

/** Environment variables that steer {@link pickSeeds} and `runSeeds`. */
export const SEED_ENV = {
  /** Runs only this seed (a failure's repeat command sets it). */
  seed: 'DWCP_SIM_SEED',
  /** How many seeds to run; overrides the test's own count. */
  seeds: 'DWCP_SIM_SEEDS',
  /** First seed of the range. */
  seedStart: 'DWCP_SIM_SEED_START',
} as const

/** Largest seed: seeds are 32-bit, as core's `seededRandom` reads them. */
export const SEED_MAX = 0xffff_ffff

/** A contiguous range of seeds: `start`, `start + 1`, …, `start + count − 1`. */
export interface SeedRange {
  /** First seed. */
  start: number
  /** Number of seeds, ≥ 1. */
  count: number
}

/** Options of {@link pickSeeds}. */
export interface PickSeedsOptions {
  /** Number of seeds when `DWCP_SIM_SEEDS` is unset. @default 100 */
  seeds?: number
  /** Where the `DWCP_SIM_*` variables are read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Decides which seeds to run. `DWCP_SIM_SEED` alone picks one seed; otherwise the range starts at
 * `DWCP_SIM_SEED_START` (default 1) and holds `DWCP_SIM_SEEDS` seeds (default `options.seeds`). A malformed
 * variable or a range beyond 32 bits throws core's `InvalidArgumentError` naming it.
 *
 * @example
 * ```ts
 * import { pickSeeds } from '@dwcp/ass-consensus/testing'
 *
 * pickSeeds({ seeds: 50, env: {} }) // { start: 1, count: 50 }
 * pickSeeds({ seeds: 50, env: { DWCP_SIM_SEED: '1234' } }) // { start: 1234, count: 1 }
 * ```
 */
export function pickSeeds(options: PickSeedsOptions = {}): SeedRange {
  const env = options.env ?? process.env
  const only = readInteger(env, SEED_ENV.seed, 0)
  if (only !== undefined) return { start: only, count: 1 }
  const count = readInteger(env, SEED_ENV.seeds, 1) ?? checkCount(options.seeds ?? 100)
  const start = readInteger(env, SEED_ENV.seedStart, 0) ?? 1
  if (start + count - 1 > SEED_MAX)
    throw new InvalidArgumentError(
      'seeds',
      `range ${start}..${start + count - 1} exceeds the largest seed ${SEED_MAX}`,
    )
  return { start, count }
}

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > SEED_MAX)
    throw new InvalidArgumentError('seeds', `must be an integer in 1..${SEED_MAX}, got ${String(count)}`)
  return count
}

/** Reads an integer in `min`..{@link SEED_MAX} from `env[name]`; undefined when unset or empty. */
function readInteger(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  min: number,
): number | undefined {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return undefined
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= min && value <= SEED_MAX))
    throw new InvalidArgumentError(name, `must be an integer in ${min}..${SEED_MAX}, got "${raw}"`)
  return value
}
