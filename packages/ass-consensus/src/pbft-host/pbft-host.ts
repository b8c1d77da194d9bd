import { createHash } from 'node:crypto'
import {
  AbortedError,
  AlreadyStartedError,
  type Clock,
  type Counter,
  type Histogram,
  isDwcpError,
  type Logger,
  METRIC_NAMES,
  NotStartedError,
  type Startable,
  silentLogger,
  throwIfAborted,
} from '@dwcp/core'
import { TickLoop } from '../host/tick-loop.js'
import { PbftClient } from '../pbft/pbft-client.js'
import {
  clientRequestSigningBytes,
  decodeClientRequest,
  decodePbftMessage,
  encodeClientRequest,
  encodePbftMessage,
  signingBytes,
} from '../pbft/pbft-codec.js'
import { PbftReplica } from '../pbft/pbft-replica.js'
import { PBFT_WIRE_TYPES } from '../pbft/pbft-wire-limits.js'
import type { ClientRequest, Reply } from '../pbft/types.js'
import type { PbftHostOptions } from './types.js'

/** Client-request verdicts remembered (a few batches' worth of every member's clients). */
const VERIFIED_REQUESTS_MAX = 16_384

/** What a committed proposal resolves with. */
export interface PbftOutcome {
  /** The sequence number its batch executed at (on this member; a lower bound if this member lags). */
  seq: number
  /** The service's result, identical on f + 1 replicas. */
  result: Uint8Array
}

interface Waiter {
  resolve: (outcome: PbftOutcome) => void
  reject: (error: Error) => void
  startedMs: number
}

/**
 * Runs a {@link PbftReplica} and a pool of {@link PbftClient}s for one member: ticks them on the injected clock,
 * decodes what peers send (client requests, replica messages, replies), and handles the replica's and the
 * clients' ready work once per turn of the event loop. Requests are signed by this member's key and replicas
 * authenticate them with the client member's key, so a faulty replica cannot order a request in another
 * member's name. Client ids are `<member id>#<k>`; replies go back to that member.
 */
export class PbftHost implements Startable {
  private replica: PbftReplica | undefined
  private readonly clients: PbftClient[] = []
  private readonly free: number[] = []
  private readonly queue: Array<{ operation: Uint8Array; waiter: Waiter }> = []
  private readonly waiters = new Map<string, Waiter>()
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly errors: Counter | undefined
  private readonly latency: Histogram | undefined
  private loop: TickLoop | undefined
  private unsubscribe: (() => void) | undefined
  private readonly index: number
  /** Hashes of (signed bytes, signature) of client requests whose signature verified. */
  private readonly verifiedRequests = new Set<string>()
  /** Sequence numbers at which this member's replica executed its own clients' requests. */
  private readonly executedAt = new Map<string, number>()
  /**
   * Client timestamps must keep increasing across restarts of the member (replicas ignore old ones), so they
   * start from the wall clock; everything else runs on the injected clock.
   */
  private nextTimestamp = Date.now()

  constructor(private readonly options: PbftHostOptions) {
    this.index = options.replicas.indexOf(options.id)
    if (this.index < 0) throw new NotStartedError(`pbft host ${options.id} (not among the replicas)`)
    this.clock = options.clock
    this.logger = (options.logger ?? silentLogger()).child({ component: 'pbft-host', node: options.id })
    this.errors = options.metrics?.counter(METRIC_NAMES.errors)
    this.latency = options.metrics?.histogram(METRIC_NAMES.consensusLatency)
  }

  /** The replica id (index) of the primary this member believes in. */
  get primary(): string | undefined {
    return this.replica ? this.options.replicas[this.replica.primary] : undefined
  }

  /** The current view. */
  get view(): number {
    return this.replica?.view ?? 0
  }

  /** Starts the replica and the clients. */
  async start(options?: { signal?: AbortSignal }): Promise<void> {
    throwIfAborted(options?.signal)
    if (this.replica) throw new AlreadyStartedError(`pbft host ${this.options.id}`)
    const { replicas, signer } = this.options
    const n = replicas.length
    this.replica = new PbftReplica({
      id: this.index,
      n,
      signer,
      ...(this.options.service ? { service: this.options.service } : {}),
      viewChangeTimeoutTicks: this.options.viewChangeTimeoutTicks ?? 50,
      maxBatchRequests: this.options.maxBatchRequests ?? 64,
      authenticateRequest: (request) => this.authentic(request),
    })
    const concurrency = this.options.clientConcurrency ?? 64
    this.clients.length = 0
    this.free.length = 0
    for (let k = 0; k < concurrency; k++) {
      this.clients.push(
        new PbftClient({
          clientId: `${this.options.id}#${k}`,
          n,
          retransmitTicks: this.options.viewChangeTimeoutTicks ?? 50,
          // Timestamps keep increasing across restarts: a replica ignores a client's old timestamps.
          lastTimestamp: this.nextTimestamp,
          sign: (bytes) => signer.sign(bytes),
          verify: (reply) => signer.verify(reply.replica, signingBytes(reply), reply.signature),
        }),
      )
      this.free.push(k)
    }
    this.unsubscribe = this.options.transport.onMessage((from, bytes) => this.receive(from, bytes))
    this.loop = new TickLoop(
      this.clock,
      this.options.tickMs ?? 10,
      () => {
        this.replica?.tick()
        for (const client of this.clients) client.tick()
      },
      () => this.handleReady(),
    )
    this.loop.start()
  }

  /** Stops ticking and listening; pending proposals reject with `AbortedError`. */
  async stop(_options?: { signal?: AbortSignal }): Promise<void> {
    if (!this.replica) return
    this.loop?.stop()
    this.loop = undefined
    this.unsubscribe?.()
    this.replica = undefined
    const stopped = new AbortedError('pbft host stopped')
    for (const waiter of this.waiters.values()) waiter.reject(stopped)
    for (const { waiter } of this.queue.splice(0)) waiter.reject(stopped)
    this.waiters.clear()
  }

  /** Orders `operation` through PBFT; resolves once f + 1 replicas replied the same result. */
  propose(operation: Uint8Array, options?: { signal?: AbortSignal }): Promise<PbftOutcome> {
    if (!this.replica) return Promise.reject(new NotStartedError(`pbft host ${this.options.id}`))
    if (options?.signal?.aborted) return Promise.reject(new AbortedError(options.signal.reason))
    return new Promise<PbftOutcome>((resolve, reject) => {
      this.queue.push({ operation, waiter: { resolve, reject, startedMs: this.clock.now() } })
      this.dispatch()
    })
  }

  /**
   * Whether a client request is signed by the member its client id names. A request is checked when it arrives
   * and again inside every pre-prepare (and its retransmissions) that carries it; Ed25519 verification is the
   * largest cost here, so verdicts are remembered, keyed by a hash of the signed bytes and the signature.
   */
  private authentic(request: ClientRequest): boolean {
    const member = request.clientId.slice(0, request.clientId.lastIndexOf('#'))
    const replica = this.options.replicas.indexOf(member)
    if (replica < 0 || !request.signature) return false
    const signed = clientRequestSigningBytes(request)
    const key = createHash('sha256').update(signed).update(request.signature).digest('base64')
    if (this.verifiedRequests.has(key)) return true
    if (!this.options.signer.verify(replica, signed, request.signature)) return false
    this.verifiedRequests.add(key)
    // Insertion order makes the Set a FIFO: drop the oldest verdicts beyond the bound.
    if (this.verifiedRequests.size > VERIFIED_REQUESTS_MAX)
      this.verifiedRequests.delete(this.verifiedRequests.values().next().value as string)
    return true
  }

  /** Hands queued operations to free clients. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.free.length > 0) {
      const k = this.free.shift() as number
      const { operation, waiter } = this.queue.shift() as { operation: Uint8Array; waiter: Waiter }
      const client = this.clients[k] as PbftClient
      const request = client.submit(operation)
      this.waiters.set(`${request.clientId}/${request.timestamp}`, waiter)
      this.nextTimestamp = Math.max(this.nextTimestamp, request.timestamp)
    }
    this.scheduleReady()
  }

  private receive(from: string, bytes: Uint8Array): void {
    const replica = this.replica
    if (!replica) return
    try {
      if (bytes[1] === PBFT_WIRE_TYPES.clientRequest) {
        const request = decodeClientRequest(bytes)
        // A member may only submit its own clients' requests.
        if (!request.clientId.startsWith(`${from}#`)) return
        replica.request(request)
      } else {
        const message = decodePbftMessage(bytes)
        if (message.type === 'reply') this.clientFor(message)?.handleReply(message)
        else replica.step(message)
      }
    } catch (error) {
      if (!isDwcpError(error)) throw error
      // Dropped like a lost message: PBFT retransmits what matters.
      this.errors?.inc({ component: 'pbft', code: error.code })
      this.logger.warn({ from, code: error.code }, 'dropped a pbft message')
      return
    }
    this.scheduleReady()
  }

  private clientFor(reply: Reply): PbftClient | undefined {
    const prefix = `${this.options.id}#`
    if (!reply.clientId.startsWith(prefix)) return undefined
    return this.clients[Number(reply.clientId.slice(prefix.length))]
  }

  private scheduleReady(): void {
    this.loop?.scheduleReady()
  }

  private send(to: number | 'all', bytes: Uint8Array): void {
    const { replicas, transport, id } = this.options
    if (to === 'all') {
      for (const member of replicas) if (member !== id) transport.send(member, bytes)
      return
    }
    const member = replicas[to]
    if (member === undefined) return
    // Messages to itself go straight in (a member is both a client and a replica).
    if (member === id) this.receive(id, bytes)
    else transport.send(member, bytes)
  }

  private handleReady(): void {
    const replica = this.replica
    if (!replica) return
    for (let round = 0; round < 16; round++) {
      let worked = false
      for (const [k, client] of this.clients.entries()) {
        const rd = client.ready()
        if (rd.sends.length === 0 && rd.completed.length === 0) continue
        worked = true
        for (const { to, request } of rd.sends) {
          const bytes = encodeClientRequest(request)
          if (to === 'all') for (let r = 0; r < this.options.replicas.length; r++) this.send(r, bytes)
          else this.send(to, bytes)
        }
        for (const done of rd.completed) this.complete(k, done.request, done.result)
        client.advance()
      }
      if (replica.hasReady()) {
        worked = true
        const rd = replica.ready()
        for (const { to, message } of rd.messages) this.send(to, encodePbftMessage(message))
        for (const batch of rd.executed)
          for (const request of batch.requests)
            if (request.clientId.startsWith(`${this.options.id}#`))
              this.executedAt.set(`${request.clientId}/${request.timestamp}`, batch.seq)
        for (const reply of rd.replies) {
          const member = reply.clientId.slice(0, reply.clientId.lastIndexOf('#'))
          const bytes = encodePbftMessage(reply)
          if (member === this.options.id) this.clientFor(reply)?.handleReply(reply)
          else this.options.transport.send(member, bytes)
        }
        replica.advance()
      }
      if (!worked) break
    }
  }

  private complete(k: number, request: ClientRequest, result: Uint8Array): void {
    const key = `${request.clientId}/${request.timestamp}`
    const waiter = this.waiters.get(key)
    this.waiters.delete(key)
    this.free.push(k)
    if (waiter) {
      this.latency?.observe((this.clock.now() - waiter.startedMs) / 1000, { protocol: 'pbft' })
      // Replies carry no sequence number: this member's replica knows it once it executed the request too;
      // if it lags, its latest executed sequence number is a lower bound.
      const seq = this.executedAt.get(key) ?? this.replica?.lastExecuted ?? 0
      this.executedAt.delete(key)
      waiter.resolve({ seq, result })
    }
    this.dispatch()
  }
}
