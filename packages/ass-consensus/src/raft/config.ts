import { InvalidArgumentError, type Random } from '@dwcp/core'
import type { NodeId, PersistedState } from './types.js'

/** Options of a {@link RaftNode}. Time is counted in ticks; the host decides how long a tick is. */
export interface RaftConfig {
  /** This node's id. */
  id: NodeId
  /**
   * The voting members when the log holds no membership change: every member of a new cluster, this node
   * included; or, for a node joining a running cluster, the members it joins (without itself; the membership
   * change that adds it arrives through the log).
   */
  peers: readonly NodeId[]
  /** Randomness for election timeouts; inject `seededRandom(seed)` to replay a run. */
  random: Random
  /**
   * Ticks without hearing from a leader before a follower campaigns. The actual timeout is drawn from
   * [`electionTicks`, 2 × `electionTicks`) so that candidates rarely collide. With a 15 ms tick, the default
   * gives datacenter mode's 150 ms.
   * @default 10
   */
  electionTicks?: number
  /** Ticks between a leader's heartbeats; must be below `electionTicks`. @default 1 */
  heartbeatTicks?: number
  /** Most entries in one append message. @default 64 */
  maxEntriesPerMessage?: number
  /** Most ReadIndex requests awaiting confirmation; more throw `QueueFullError`. @default 1024 */
  maxPendingReads?: number
  /** Run a pre-vote round before incrementing the term, so a partitioned node cannot disrupt. @default true */
  preVote?: boolean
  /** A leader steps down when it has not heard from a quorum in an election timeout. @default true */
  checkQuorum?: boolean
  /** What was persisted before a restart. */
  storage?: PersistedState
}

/** {@link RaftConfig} with defaults filled in and checked. */
export type ResolvedRaftConfig = Required<Omit<RaftConfig, 'storage'>> & Pick<RaftConfig, 'storage'>

/** Fills in defaults and rejects values outside their domain with core's `InvalidArgumentError`. */
export function resolveConfig(config: RaftConfig): ResolvedRaftConfig {
  const resolved: ResolvedRaftConfig = {
    electionTicks: 10,
    heartbeatTicks: 1,
    maxEntriesPerMessage: 64,
    maxPendingReads: 1024,
    preVote: true,
    checkQuorum: true,
    ...config,
  }
  // A node joining a running cluster starts outside the voters it knows of and learns the membership that
  // adds it from the leader's log; it never campaigns until it is a voter.
  if (resolved.peers.length === 0) throw new InvalidArgumentError('peers', 'must name at least one voter')
  if (new Set(resolved.peers).size !== resolved.peers.length)
    throw new InvalidArgumentError('peers', 'must not repeat a node')
  positiveInteger('electionTicks', resolved.electionTicks)
  positiveInteger('heartbeatTicks', resolved.heartbeatTicks)
  positiveInteger('maxEntriesPerMessage', resolved.maxEntriesPerMessage)
  positiveInteger('maxPendingReads', resolved.maxPendingReads)
  if (resolved.heartbeatTicks >= resolved.electionTicks)
    throw new InvalidArgumentError('heartbeatTicks', 'must be below electionTicks')
  return resolved
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(name, `must be a positive integer, got ${String(value)}`)
}
