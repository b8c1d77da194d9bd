/**
 * The deterministic cluster simulator: a seeded packet network, incremental safety checks of a replicated log,
 * and a Raft cluster with crashes, restarts and a chaos scenario built on them.
 * @module
 */
export { InvariantViolationError } from './invariant-violation-error.js'
export { LogInvariants, type LogItem, type NodeView } from './log-invariants.js'
export { type Addressed, type NetworkFaults, SimNetwork } from './network.js'
export { type RaftChaosOptions, type RaftChaosReport, runRaftChaos } from './raft-chaos.js'
export { RaftCluster, type RaftClusterOptions } from './raft-cluster.js'
