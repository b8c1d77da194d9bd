/**
 * @packageDocumentation
 * The deterministic-test harness of `@dwcp/ass-consensus`: runs a randomized scenario over a range of seeds
 * and, when one fails, reports the seed and the command that repeats it. Consensus and sync tests use it so
 * that every failure replays from its seed.
 *
 * @example
 * ```ts
 * import { runSeeds } from '@dwcp/ass-consensus/testing'
 *
 * await runSeeds({
 *   testFile: 'src/example.test.ts',
 *   testName: 'random numbers stay in [0, 1)',
 *   seeds: 20,
 *   scenario: (seed, random) => {
 *     const value = random.next()
 *     if (!(value >= 0 && value < 1)) throw new Error(`seed ${seed} drew ${value}`)
 *   },
 * })
 * ```
 */

export * from './crdt-sim/index.js'
export * from './linearizability/index.js'
export * from './pbft-sim/index.js'
export { repeatCommand } from './repeat-command.js'
export { type RunSeedsOptions, runSeeds, type SeedScenario } from './run-seeds.js'
export { SeedFailureError } from './seed-failure-error.js'
export { type PickSeedsOptions, pickSeeds, SEED_ENV, SEED_MAX, type SeedRange } from './seed-range.js'
export * from './sim/index.js'
