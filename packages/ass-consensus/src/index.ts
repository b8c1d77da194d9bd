/**
 * @packageDocumentation
 * State sync and consensus for DWCP (ASS/ACP). This release holds the shared deterministic-test harness,
 * published as the `@dwcp/ass-consensus/testing` entry point (`runSeeds`, `pickSeeds`, `SeedFailureError`);
 * this entry re-exports its types. Raft (datacenter), PBFT (internet) and the CRDT replicator arrive in later
 * releases, each tested through that harness.
 *
 * @example
 * ```ts
 * import type { RunSeedsOptions } from '@dwcp/ass-consensus'
 * import { runSeeds } from '@dwcp/ass-consensus/testing'
 *
 * const options: RunSeedsOptions = {
 *   testFile: 'src/example.test.ts',
 *   testName: 'draws stay below 1',
 *   seeds: 10,
 *   scenario: (_seed, random) => {
 *     if (random.next() >= 1) throw new Error('out of range')
 *   },
 * }
 * await runSeeds(options)
 * ```
 */

export * from './raft/index.js'
export type { PickSeedsOptions, RunSeedsOptions, SeedRange, SeedScenario } from './testing/index.js'
