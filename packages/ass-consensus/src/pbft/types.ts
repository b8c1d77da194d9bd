/** Index of a replica in the group, 0 … n − 1; the primary of view v is replica `v mod n`. */
export type ReplicaId = number

/**
 * An operation a client asks the group to execute. `timestamp` increases with every new request of the same
 * client, so replicas can tell a retransmission from a new request and never execute one twice.
 */
export interface ClientRequest {
  /** Stable id of the client. */
  clientId: string
  /** Monotonically increasing per client (a counter is fine). */
  timestamp: number
  /** The operation, opaque to PBFT. */
  operation: Uint8Array
  /**
   * The client's signature over `clientRequestSigningBytes(request)`, checked by the replicas' optional
   * `authenticateRequest`. Without it a faulty replica could order a made-up request in a client's name with
   * a huge timestamp, and the client's real requests would then look old.
   */
  signature?: Uint8Array
}

/** Fields every replica-to-replica message carries: its sender and a signature over its canonical encoding. */
interface Signed {
  /** The replica that created (and signed) the message. */
  replica: ReplicaId
  /** Signature of the sender over the encoding of every other field; empty until signed. */
  signature: Uint8Array
}

/**
 * The primary assigns sequence number `seq` to a batch of requests in `view` (an empty batch is the null
 * request of a view change). The batch travels with the pre-prepare rather than separately.
 */
export interface PrePrepare extends Signed {
  type: 'prePrepare'
  view: number
  seq: number
  /** SHA-256 of the encoded batch. */
  digest: Uint8Array
  batch: ClientRequest[]
}

/** A backup accepted the pre-prepare for (`view`, `seq`, `digest`). */
export interface Prepare extends Signed {
  type: 'prepare'
  view: number
  seq: number
  digest: Uint8Array
}

/** The sender has prepared (`view`, `seq`, `digest`). */
export interface Commit extends Signed {
  type: 'commit'
  view: number
  seq: number
  digest: Uint8Array
}

/** The state digest the sender reached after executing every sequence number up to `seq`. */
export interface Checkpoint extends Signed {
  type: 'checkpoint'
  seq: number
  stateDigest: Uint8Array
}

/** A pre-prepare and 2f matching prepares from distinct backups: proof that a batch prepared in a view. */
export interface PreparedCertificate {
  prePrepare: PrePrepare
  prepares: Prepare[]
}

/** The sender moves to `newView` and tells the new primary what it knows (Castro–Liskov §4.4). */
export interface ViewChange extends Signed {
  type: 'viewChange'
  newView: number
  /** The sender's last stable checkpoint (0: none yet). */
  stableSeq: number
  /** 2f + 1 matching checkpoint messages for `stableSeq` (empty when it is 0). */
  checkpointProof: Checkpoint[]
  /** For every sequence number above `stableSeq` that prepared at the sender: the highest-view certificate. */
  prepared: PreparedCertificate[]
}

/** The new primary starts `view`: 2f + 1 view changes and the pre-prepares recomputed from them (O). */
export interface NewView extends Signed {
  type: 'newView'
  view: number
  viewChanges: ViewChange[]
  prePrepares: PrePrepare[]
}

/** A backup relays a client's request to the primary it believes in. */
export interface RequestRelay extends Signed {
  type: 'request'
  request: ClientRequest
}

/**
 * The sender asks for the batch committed at `seq` (it missed it), for a newer checkpointed state, for the
 * votes of the view it lost, and, when the receiver is in a later view than `view`, for that view's NEW-VIEW.
 */
export interface Fetch extends Signed {
  type: 'fetch'
  seq: number
  /** The sender's view. */
  view: number
}

/** Answers a {@link Fetch}: the batch the sender executed at `seq`. f + 1 matching answers prove it. */
export interface Executed extends Signed {
  type: 'executed'
  seq: number
  digest: Uint8Array
  batch: ClientRequest[]
}

/** The last reply a replica sent to one client: part of the checkpointed state (deduplication survives it). */
export interface ReplyRecord {
  clientId: string
  timestamp: number
  result: Uint8Array
}

/** Answers a {@link Fetch} below the sender's stable checkpoint: the whole state at that checkpoint. */
export interface StateTransfer extends Signed {
  type: 'state'
  seq: number
  /** 2f + 1 checkpoint messages certifying the digest of this state. */
  checkpointProof: Checkpoint[]
  /** The service's snapshot. */
  snapshot: Uint8Array
  /** Last reply per client at `seq`. */
  replies: ReplyRecord[]
}

/** Every message replicas exchange. */
export type PbftMessage =
  | PrePrepare
  | Prepare
  | Commit
  | Checkpoint
  | ViewChange
  | NewView
  | RequestRelay
  | Fetch
  | Executed
  | StateTransfer

/** A replica's answer to a client, signed so the client can count distinct repliers. */
export interface Reply {
  type: 'reply'
  view: number
  replica: ReplicaId
  clientId: string
  timestamp: number
  result: Uint8Array
  signature: Uint8Array
}

/** A message to send: to one replica, or to every other replica (`to: 'all'`). */
export interface Outgoing {
  to: ReplicaId | 'all'
  message: PbftMessage
}

/** A batch this replica executed. */
export interface ExecutedBatch {
  seq: number
  view: number
  digest: Uint8Array
  /** The requests executed, in order (duplicates of already executed requests are left out). */
  requests: ClientRequest[]
}

/**
 * Work for the host, collected since the last `advance()`: send `messages`, deliver `replies`, persist or
 * observe `executed`. A `stateTransfer` means the replica jumped to a certified checkpoint (it replaced the
 * service state) instead of executing the sequence numbers up to it one by one.
 */
export interface PbftReady {
  messages: Outgoing[]
  replies: Reply[]
  executed: ExecutedBatch[]
  /** Sequence number of a checkpoint whose state was installed, if any. */
  stateTransfer: number | undefined
}
