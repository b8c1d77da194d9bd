/**
 * Raft with I/O: {@link RaftHost} drives a `RaftNode` over a {@link RaftPeerTransport}, a `RaftStorage` and an
 * injected clock; {@link RaftConsensus} and {@link RaftReplicator} present it as core's `Consensus` and
 * `Replicator`.
 * @module
 */
export { decodeKvCommand, encodeKvCommand, type KvCommand, KvStateMachine } from './kv-state-machine.js'
export type { MembershipChange } from './membership-queue.js'
export {
  RaftConsensus,
  type RaftConsensusOptions,
  type SharedHostConsensusOptions,
} from './raft-consensus.js'
export { RaftHost } from './raft-host.js'
export { RaftReplicator, type RaftReplicatorOptions } from './raft-replicator.js'
export type { ProposeOutcome, RaftHostOptions, RaftPeerTransport, RaftStateMachine } from './types.js'
