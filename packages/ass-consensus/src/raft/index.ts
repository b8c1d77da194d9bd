/**
 * Raft without I/O: {@link RaftNode} and the types of its messages, entries, hard state and `Ready`.
 * @module
 */
export type { RaftConfig } from './config.js'
export { RaftNode } from './raft-node.js'
export { RaftState } from './raft-state.js'
export { sendableBeforePersist } from './ready-order.js'
export type {
  AppendRequest,
  AppendResponse,
  Entry,
  HardState,
  InstallSnapshot,
  Message,
  NodeId,
  PersistedState,
  ProposeResult,
  ReadIndexResult,
  ReadState,
  Ready,
  Role,
  Snapshot,
  TimeoutNow,
  VoteRequest,
  VoteResponse,
} from './types.js'
