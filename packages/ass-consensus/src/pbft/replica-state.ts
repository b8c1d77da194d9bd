import { type CertificateContext, primaryOf, signed } from './certificates.js'
import { type PbftConfig, type ResolvedPbftConfig, resolvePbftConfig } from './config.js'
import { signingBytes } from './pbft-codec.js'
import { type PbftService, runningHashService } from './service.js'
import type {
  Checkpoint,
  ClientRequest,
  Commit,
  ExecutedBatch,
  NewView,
  Outgoing,
  PbftMessage,
  PbftReady,
  PrePrepare,
  Prepare,
  PreparedCertificate,
  ReplicaId,
  Reply,
  ReplyRecord,
} from './types.js'

/** What a replica knows about one sequence number in the current view. */
export interface Slot {
  prePrepare: PrePrepare | undefined
  /** First prepare of each backup (a second, different one from the same backup is ignored). */
  prepares: Map<ReplicaId, Prepare>
  commits: Map<ReplicaId, Commit>
  prepared: boolean
  committed: boolean
}

/** A committed batch waiting for every lower sequence number to execute. */
export interface CommittedBatch {
  view: number
  digest: Uint8Array
  batch: ClientRequest[]
}

/** Why a replica dropped a message: counters for reports and tests. */
export interface PbftRejections {
  /** Signature did not verify for the replica the message names. */
  signature: number
  /** Message of another view (or during a view change). */
  view: number
  /** Sequence number outside the water marks. */
  watermark: number
  /** Digest does not match the batch, or conflicts with the accepted pre-prepare. */
  digest: number
  /** A view change, new view, proof or certificate that does not verify. */
  certificate: number
  /** Sent by a replica that may not send it (a prepare from the primary, a pre-prepare from a backup). */
  sender: number
  /** A client request (alone or in a pre-prepare) that failed `authenticateRequest`. */
  client: number
}

/**
 * Fields and plumbing shared by the parts of a replica: configuration, the current view, the log of the
 * current view, and the outbox that `ready()` hands to the host.
 */
export abstract class PbftReplicaState {
  protected readonly config: ResolvedPbftConfig
  protected readonly service: PbftService
  protected readonly ctx: CertificateContext
  /** This replica's index. */
  readonly id: ReplicaId
  /** Group size. */
  readonly n: number
  /** Faults tolerated, ⌊(n − 1) / 3⌋. */
  readonly f: number

  protected currentView = 0
  /** Moving to `currentView` but its NEW-VIEW is not installed yet: only view-change traffic is accepted. */
  protected changingView = false
  protected lastExecutedSeq = 0
  /** Low water mark h: the last stable checkpoint. */
  protected stableSeq = 0
  protected stableProof: Checkpoint[] = []
  /** Primary only: next sequence number to assign. */
  protected nextSeq = 1
  protected slots = new Map<number, Slot>()
  /** Highest-view prepared certificate per sequence number above the stable checkpoint (for view changes). */
  protected preparedCerts = new Map<number, PreparedCertificate>()
  protected committedBatches = new Map<number, CommittedBatch>()
  /** Batches executed since the stable checkpoint: answers to lagging replicas' fetches. */
  protected executedLog = new Map<number, CommittedBatch>()
  protected lastReplies = new Map<string, ReplyRecord>()
  /** Requests known but not executed yet, one per client (the latest). */
  protected pending = new Map<string, ClientRequest>()
  /** Primary only: latest timestamp per client already put in a pre-prepare of this view. */
  protected assigned = new Map<string, number>()
  /** The NEW-VIEW that installed the current view, forwarded to replicas stuck in an older view. */
  protected newViewMessage: NewView | undefined
  /** Saw agreement traffic above the high water mark: this replica is behind and should fetch. */
  protected seenBeyondWindow = false
  /** Successive view changes without executing anything: doubles the view-change timeout. */
  protected viewChangeAttempts = 0

  protected outbox: Outgoing[] = []
  protected replyBox: Reply[] = []
  protected executedBox: ExecutedBatch[] = []
  protected transferredTo: number | undefined

  /** Messages dropped, by reason. */
  readonly rejected: PbftRejections = {
    signature: 0,
    view: 0,
    watermark: 0,
    digest: 0,
    certificate: 0,
    sender: 0,
    client: 0,
  }

  constructor(config: PbftConfig) {
    this.config = resolvePbftConfig(config)
    this.id = this.config.id
    this.n = this.config.n
    this.f = Math.floor((this.n - 1) / 3)
    this.service = this.config.service ?? runningHashService()
    this.ctx = {
      n: this.n,
      f: this.f,
      signer: this.config.signer,
      watermarkWindowSeqs: this.config.watermarkWindowSeqs,
    }
  }

  /** The view this replica is in (or moving to, during a view change). */
  get view(): number {
    return this.currentView
  }

  /** Whether a view change is in progress. */
  get isChangingView(): boolean {
    return this.changingView
  }

  /** The primary of the current view. */
  get primary(): ReplicaId {
    return primaryOf(this.currentView, this.n)
  }

  /** Highest sequence number executed. */
  get lastExecuted(): number {
    return this.lastExecutedSeq
  }

  /** The low water mark: sequence number of the last stable checkpoint. */
  get lowWatermark(): number {
    return this.stableSeq
  }

  /** Entries kept in the log (slots of this view plus prepared certificates and executed batches). */
  get logSize(): number {
    return this.slots.size + this.preparedCerts.size + this.executedLog.size
  }

  /** Requests waiting to be ordered or executed. */
  get pendingRequests(): number {
    return this.pending.size
  }

  /** Whether `ready()` has anything for the host. */
  hasReady(): boolean {
    return (
      this.outbox.length > 0 ||
      this.replyBox.length > 0 ||
      this.executedBox.length > 0 ||
      this.transferredTo !== undefined
    )
  }

  /** Work for the host since the last `advance()`: messages, replies, executed batches. */
  ready(): PbftReady {
    return {
      messages: this.outbox,
      replies: this.replyBox,
      executed: this.executedBox,
      stateTransfer: this.transferredTo,
    }
  }

  /** The host handled the last `ready()`. */
  advance(): void {
    this.outbox = []
    this.replyBox = []
    this.executedBox = []
    this.transferredTo = undefined
  }

  protected isPrimary(): boolean {
    return this.primary === this.id
  }

  /** Whether `seq` lies in the water-mark window (h, h + L]; above it, notes that this replica lags. */
  protected inWindow(seq: number): boolean {
    if (seq > this.stableSeq + this.config.watermarkWindowSeqs) {
      this.seenBeyondWindow = true
      return false
    }
    return seq > this.stableSeq
  }

  protected slot(seq: number): Slot {
    let slot = this.slots.get(seq)
    if (!slot) {
      slot = {
        prePrepare: undefined,
        prepares: new Map(),
        commits: new Map(),
        prepared: false,
        committed: false,
      }
      this.slots.set(seq, slot)
    }
    return slot
  }

  /** Signs `message` and queues it for `to` (a replica, or every other replica). */
  protected send<M extends PbftMessage>(to: ReplicaId | 'all', message: M): M {
    if (message.signature.byteLength === 0) signed(this.config.signer, message)
    this.outbox.push({ to, message })
    return message
  }

  protected reply(record: ReplyRecord): void {
    const reply: Reply = {
      type: 'reply',
      view: this.currentView,
      replica: this.id,
      ...record,
      signature: new Uint8Array(),
    }
    reply.signature = this.config.signer.sign(signingBytes(reply))
    this.replyBox.push(reply)
  }

  /** Executes every committed batch whose predecessors executed; defined by the normal case. */
  protected abstract executeReady(): void
  /** Lets the primary cut a batch from pending requests; defined by the normal case. */
  protected abstract cutBatches(force: boolean): void
}
