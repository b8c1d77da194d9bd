import type { Member } from '@dwcp/core'

/**
 * The cluster a node keeps state with (datacenter mode: Raft over AMST channel `raft`, state in `state.db`).
 * Without it a node has no replicated state and no consensus.
 */
export interface ClusterOptions {
  /**
   * Members with the addresses their nodes listen on. For a new cluster: every voter, this node included. For
   * a node joining a running cluster (`joining`): the members it joins, without itself; a member then adds it
   * (`node.consensus.addMember`).
   */
  members: readonly Member[]
  /** Directory of `state.db` (Raft log, snapshots, hard state). */
  dataDir: string
  /** This node joins a running cluster rather than forming a new one. @default false */
  joining?: boolean
  /** Election timeout (consensus.election_timeout); ticks are a tenth of it. @default 150 */
  electionTimeoutMs?: number
  /** Snapshot and compact the log every this many applied entries. @default 100000 (etcd's snapshot count) */
  snapshotEveryEntries?: number
}
