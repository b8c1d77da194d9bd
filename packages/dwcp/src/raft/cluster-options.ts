import type { KeyObject } from 'node:crypto'
import type { Member } from '@dwcp/core'

/** The keys of PBFT (internet mode): this member's Ed25519 private key and every member's public key. */
export interface PbftKeys {
  /** This member's private key (PEM or KeyObject). */
  privateKey: string | KeyObject
  /** Every member's public key by member id (PEM or KeyObject), this member's included. */
  publicKeys: Readonly<Record<string, string | KeyObject>>
}

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
  /**
   * Internet mode: PBFT's view-change timeout, how long a backup waits for the primary before it starts a view
   * change (the config's consensus.election_timeout under PBFT). @default 500 (the PBFT host's)
   */
  viewChangeTimeoutMs?: number
  /**
   * Raft: deadline of each `node.state` read and write (sync.timeout), after which it rejects with
   * `DWCP_ERR_TIMEOUT`; a caller's own signal still applies. @default none
   */
  syncTimeoutMs?: number
  /**
   * Internet mode: the CRDT convergence bound (sync.convergence_timeout). Anti-entropy then runs often enough
   * that every member is exchanged with within half of it, as expected for random peer choice. @default none
   * (the replicator's own cadence, one exchange a second)
   */
  convergenceTimeoutMs?: number
  /**
   * Internet mode: PBFT keys. With them the node runs PBFT among the members (in the order `members` lists them,
   * which must be the same on every member; n = 3f + 1, at least 4) over AMST channel `pbft`. @default none:
   * no consensus in internet mode
   */
  pbft?: PbftKeys
  /** Snapshot and compact the log every this many applied entries. @default 100000 (etcd's snapshot count) */
  snapshotEveryEntries?: number
}
