/** Identifies a node of a Raft group. */
export type NodeId = string

/**
 * One log entry. `data` is `undefined` for the empty entry a new leader appends to commit earlier terms and for
 * a membership change, which carries `voters` instead.
 */
export interface Entry {
  /** Term of the leader that created the entry. */
  term: number
  /** Position in the log, from 1. */
  index: number
  /** The proposed command, or `undefined` for a leader's no-op entry or a membership change. */
  data: Uint8Array | undefined
  /**
   * On a membership change only: every voting member once this entry commits (one server added to or removed
   * from the voters before it). Applied by every node when its commit index passes the entry.
   */
  voters?: readonly NodeId[]
}

/** The state machine as of a log index, standing in for every entry up to it (log compaction, §7). */
export interface Snapshot {
  /** Last index the snapshot covers. */
  index: number
  /** Term of the entry at `index`. */
  term: number
  /** Voting members as of `index`. */
  voters: readonly NodeId[]
  /** The state machine's serialized state (opaque to Raft). */
  data: Uint8Array
}

/** What must be durable before any message of the same {@link Ready} leaves the node. */
export interface HardState {
  /** Current term. */
  term: number
  /** Candidate voted for in `term`, if any. */
  vote: NodeId | undefined
  /** Highest index known committed. */
  commit: number
}

/** Asks for votes, for real (`vote`) or as a pre-vote that changes nobody's term (`preVote`). */
export interface VoteRequest {
  type: 'vote' | 'preVote'
  from: NodeId
  to: NodeId
  /** The candidate's term; for a pre-vote, the term it would campaign in. */
  term: number
  lastIndex: number
  lastTerm: number
  /** Sent on the leader's request (leader transfer): voters do not hold to their current leader. */
  transfer?: boolean
}

/** Answers a {@link VoteRequest}. */
export interface VoteResponse {
  type: 'voteResponse' | 'preVoteResponse'
  from: NodeId
  to: NodeId
  term: number
  granted: boolean
}

/** Replicates entries and carries the leader's commit index; with no entries it is the heartbeat. */
export interface AppendRequest {
  type: 'append'
  from: NodeId
  to: NodeId
  term: number
  prevIndex: number
  prevTerm: number
  entries: Entry[]
  commit: number
  /** Latest ReadIndex request of the leader, echoed by the follower (absent or 0: none). */
  readSeq?: number
}

/** Answers an {@link AppendRequest}. */
export interface AppendResponse {
  type: 'appendResponse'
  from: NodeId
  to: NodeId
  term: number
  success: boolean
  /** On success, the highest index known to match the leader's log. */
  matchIndex: number
  /** On rejection, the `prevIndex` that did not match (lets the leader drop stale rejections). */
  rejectedIndex: number
  /** On rejection, the follower's last index: the leader need not probe beyond it. */
  lastIndex: number
  /** The `readSeq` of the append this answers. */
  readSeq?: number
}

/** The leader tells a caught-up follower to campaign at once: the last step of a leader transfer. */
export interface TimeoutNow {
  type: 'timeoutNow'
  from: NodeId
  to: NodeId
  term: number
}

/** The leader sends its snapshot to a follower that needs entries it has compacted away (InstallSnapshot). */
export interface InstallSnapshot {
  type: 'snapshot'
  from: NodeId
  to: NodeId
  term: number
  snapshot: Snapshot
}

/** Every message Raft nodes exchange. */
export type Message =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | TimeoutNow
  | InstallSnapshot

/** The role a node plays. */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader'

/**
 * Work the host must do, in this order: persist `snapshot`, `entries` and `hardState` (durably, `snapshot`
 * first), send `messages`, restore the state machine from `snapshot` if there is one, apply `committedEntries`,
 * then call `advance()`. One exception speeds up the leader: its `append` and `snapshot` messages may be sent
 * before persisting (its own entries count towards a commit only once `advance()` says they are persisted).
 * Every other message (votes, acknowledgements) must wait for the write it depends on.
 */
export interface Ready {
  /**
   * A snapshot received from the leader: persist it (it replaces the whole persisted log, whose entries are
   * then dropped) and restore the state machine from it before applying `committedEntries`.
   */
  snapshot: Snapshot | undefined
  /** Messages to send once `entries` and `hardState` are durable. */
  messages: Message[]
  /**
   * Entries to persist. They replace every persisted entry at or after `entries[0].index` (a follower may
   * overwrite an uncommitted suffix that conflicts with the leader's log).
   */
  entries: Entry[]
  /** The hard state to persist, when it changed since the last `advance()`. */
  hardState: HardState | undefined
  /** Committed entries to apply to the state machine, in order. */
  committedEntries: Entry[]
  /** Confirmed linearizable reads: serve each once the state machine has applied its `index`. */
  readStates: ReadState[]
}

/** A confirmed ReadIndex request: reading after `index` is applied is linearizable. */
export interface ReadState {
  /** What the caller passed to {@link RaftNode.readIndex}. */
  context: string
  /** The leader's commit index when the read was requested. */
  index: number
}

/** Outcome of {@link RaftNode.readIndex}: when accepted, a {@link ReadState} follows in a later `Ready`. */
export type ReadIndexResult = { accepted: true } | { accepted: false; leader: NodeId | undefined }

/** What a node persisted, to restart from. */
export interface PersistedState {
  hardState: HardState
  /** The entries after `snapshot` (or from index 1 without one). */
  entries: readonly Entry[]
  /** The latest snapshot, if the log was compacted. */
  snapshot?: Snapshot | undefined
}

/** Outcome of {@link RaftNode.propose}. Proposing is only possible on the leader. */
export type ProposeResult =
  | { accepted: true; index: number; term: number }
  | { accepted: false; leader: NodeId | undefined }
