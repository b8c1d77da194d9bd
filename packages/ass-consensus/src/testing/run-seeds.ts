import { type Random, seededRandom } from '@dwcp/core'
import { repeatCommand } from './repeat-command.js'
import { SeedFailureError } from './seed-failure-error.js'
import { pickSeeds, type SeedRange } from './seed-range.js'

/**
 * One run of a randomized test. Everything random in it must come from `random` (or be derived from `seed`)
 * so that the seed alone replays it.
 */
export type SeedScenario = (seed: number, random: Random) => void | Promise<void>

/** Options of {@link runSeeds}. */
export interface RunSeedsOptions {
  /** The scenario to run once per seed. */
  scenario: SeedScenario
  /** The test file, as a path or `import.meta.url`; goes into the repeat command. */
  testFile: string
  /** The test's name as vitest's `-t` should match it; goes into the repeat command. */
  testName: string
  /** Number of seeds when `DWCP_SIM_SEEDS` is unset. @default 100 */
  seeds?: number
  /** Where the `DWCP_SIM_*` variables are read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Runs `scenario` once per seed, one seed after the other, each with its own `seededRandom(seed)`. The seeds
 * come from {@link pickSeeds}: `DWCP_SIM_SEED` runs one seed, `DWCP_SIM_SEEDS` and `DWCP_SIM_SEED_START` set
 * the range. Stops at the first failure and rejects with a {@link SeedFailureError} whose message holds the
 * seed and the command that repeats it. Resolves with the range it ran.
 *
 * @example
 * ```ts
 * import { runSeeds } from '@dwcp/ass-consensus/testing'
 * import { expect, it } from 'vitest'
 *
 * it('a shuffled list keeps its elements', async () => {
 *   await runSeeds({
 *     testFile: import.meta.url,
 *     testName: 'a shuffled list keeps its elements',
 *     seeds: 200,
 *     scenario: (_seed, random) => {
 *       const items = [1, 2, 3, 4]
 *       items.sort(() => random.next() - 0.5)
 *       expect([...items].sort()).toEqual([1, 2, 3, 4])
 *     },
 *   })
 * })
 * ```
 */
export async function runSeeds(options: RunSeedsOptions): Promise<SeedRange> {
  const range = pickSeeds(options)
  for (let seed = range.start; seed < range.start + range.count; seed++) {
    try {
      await options.scenario(seed, seededRandom(seed))
    } catch (error) {
      throw new SeedFailureError(seed, repeatCommand(seed, options.testFile, options.testName), error)
    }
  }
  return range
}
