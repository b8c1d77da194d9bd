/**
 * @packageDocumentation
 * State sync and consensus for DWCP (ASS/ACP): the Raft core without I/O (`RaftNode`), its wire codec, the
 * host that runs it against storage, peers and a clock (`RaftHost`), the `Consensus` and linearizable
 * `Replicator` built on it, and durable storage in SQLite (`state.db`). The deterministic-test harness is the
 * `@dwcp/ass-consensus/testing` entry point (`runSeeds`, the cluster simulator, the linearizability checker);
 * this entry re-exports its option types. Internet mode's PBFT (core, host, `PbftConsensus`) and
 * CRDT replicator (on Yjs) are exported here too.
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

export * from './crdt/index.js'
export * from './pbft/index.js'
export * from './pbft-host/index.js'
export * from './raft/index.js'
export * from './raft-host/index.js'
export * from './raft-wire/index.js'
export * from './storage/index.js'
export * from './storage/state-file.js'
export type { PickSeedsOptions, RunSeedsOptions, SeedRange, SeedScenario } from './testing/index.js'
