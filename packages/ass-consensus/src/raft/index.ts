/**
 * Raft without I/O: {@link RaftNode} and the types of its messages, entries, hard state and `Ready`.
 * @module
 */
export type { RaftConfig } from './config.js'
export { RaftNode } from './raft-node.js'
export { RaftState } from './raft-state.js'
export type {
  AppendRequest,
  AppendResponse,
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  ReadIndexResult,
  ReadState,
  Ready,
  Role,
  TimeoutNow,
  VoteRequest,
  VoteResponse,
} from './types.js'
