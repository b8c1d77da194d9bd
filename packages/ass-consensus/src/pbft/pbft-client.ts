import { InvalidArgumentError } from '@dwcp/core'
import { primaryOf } from './certificates.js'
import { toHex } from './digest.js'
import { clientRequestSigningBytes } from './pbft-codec.js'
import type { ClientRequest, ReplicaId, Reply } from './types.js'

/** Options of a {@link PbftClient}. */
export interface PbftClientOptions {
  /** This client's id (unique among clients). */
  clientId: string
  /** Replicas in the group. @default 4 */
  n?: number
  /** Ticks without f + 1 matching replies before the request is broadcast to every replica again. @default 40 */
  retransmitTicks?: number
  /** Checks a reply's signature (e.g. with a `PbftSigner`); replies failing it are ignored. @default accept all */
  verify?: (reply: Reply) => boolean
  /** Signs a request's `clientRequestSigningBytes` (replicas check it with `authenticateRequest`). */
  sign?: (bytes: Uint8Array) => Uint8Array
  /** First timestamp minus one (timestamps must keep increasing across restarts of the client). @default 0 */
  lastTimestamp?: number
}

/** A request the client finished: f + 1 replicas replied the same result. */
export interface PbftCompletion {
  request: ClientRequest
  result: Uint8Array
}

/** Work for the host: requests to send (to one replica, or to all), and requests that completed. */
export interface PbftClientReady {
  sends: { to: ReplicaId | 'all'; request: ClientRequest }[]
  completed: PbftCompletion[]
}

/**
 * The client side of PBFT without I/O: one request at a time, sent to the primary it believes in, broadcast
 * to every replica when no answer comes within `retransmitTicks`, and accepted once f + 1 distinct replicas
 * replied the same result (at least one of them is honest, so the result is the committed one).
 */
export class PbftClient {
  private readonly n: number
  private readonly f: number
  private readonly retransmitTicks: number
  private view = 0
  private timestamp: number
  private current: ClientRequest | undefined
  private elapsed = 0
  private replies = new Map<ReplicaId, Reply>()
  private box: PbftClientReady = { sends: [], completed: [] }
  /** Retransmissions so far. */
  retransmissions = 0

  constructor(private readonly options: PbftClientOptions) {
    this.n = options.n ?? 4
    if (!Number.isInteger(this.n) || this.n < 4) throw new InvalidArgumentError('n', 'must be an integer ≥ 4')
    this.f = Math.floor((this.n - 1) / 3)
    this.retransmitTicks = options.retransmitTicks ?? 40
    this.timestamp = options.lastTimestamp ?? 0
  }

  /** Client id. */
  get clientId(): string {
    return this.options.clientId
  }

  /** The request awaiting replies, if any. */
  get inFlight(): ClientRequest | undefined {
    return this.current
  }

  /** Starts a request for `operation` and returns it; throws while another is in flight. */
  submit(operation: Uint8Array): ClientRequest {
    if (this.current) throw new InvalidArgumentError('operation', 'a request is already in flight')
    const request: ClientRequest = { clientId: this.options.clientId, timestamp: ++this.timestamp, operation }
    if (this.options.sign) request.signature = this.options.sign(clientRequestSigningBytes(request))
    this.current = request
    this.elapsed = 0
    this.replies = new Map()
    this.box.sends.push({ to: primaryOf(this.view, this.n), request })
    return request
  }

  /** One tick: retransmits to every replica when the current request has waited `retransmitTicks`. */
  tick(): void {
    if (!this.current || ++this.elapsed < this.retransmitTicks) return
    this.elapsed = 0
    this.retransmissions++
    this.box.sends.push({ to: 'all', request: this.current })
  }

  /** Counts a reply; completes the request on f + 1 matching results from distinct replicas. */
  handleReply(reply: Reply): void {
    const current = this.current
    if (!current || reply.clientId !== current.clientId || reply.timestamp !== current.timestamp) return
    if (!(reply.replica >= 0 && reply.replica < this.n) || this.replies.has(reply.replica)) return
    if (this.options.verify && !this.options.verify(reply)) return
    this.replies.set(reply.replica, reply)
    const key = toHex(reply.result)
    const matching = [...this.replies.values()].filter((r) => toHex(r.result) === key)
    if (matching.length < this.f + 1) return
    // The lowest view among the matching replies: at least one is honest, so a faulty replica can only make
    // the client try an older primary first, never steer it to a view nobody is in.
    this.view = Math.max(this.view, Math.min(...matching.map((r) => r.view)))
    this.current = undefined
    this.box.completed.push({ request: current, result: reply.result })
  }

  /** What the host must do since the last `advance()`. */
  ready(): PbftClientReady {
    return this.box
  }

  /** The host handled the last `ready()`. */
  advance(): void {
    this.box = { sends: [], completed: [] }
  }
}
