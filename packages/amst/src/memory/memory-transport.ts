import { randomUUID } from 'node:crypto'
import {
  type ComponentHealth,
  Emitter,
  HandshakeRejectedError,
  isDwcpError,
  type NodeIdentity,
  NotStartedError,
  PeerUnreachableError,
  type Session,
  seededRandom,
  type Transport,
  type TransportComponents,
  type TransportEvents,
  throwIfAborted,
} from '@dwcp/core'
import { checkPeerIdentity, PROTOCOL_VERSION } from '../handshake.js'
import type { SessionLimits } from '../session/limits.js'
import { MultiStreamSession } from '../session/multi-stream-session.js'
import { ResumeStore } from '../session/resume-store.js'
import type { LinkConditions } from './link.js'
import { LinkProfile } from './link-profile.js'
import { MemoryConnection } from './memory-connection.js'
import { defaultMemoryNetwork, type MemoryNetwork, parseMemoryAddress } from './memory-network.js'

/** Options of {@link memoryTransport}. */
export interface MemoryTransportInit {
  /** The address namespace. @default the process-wide {@link defaultMemoryNetwork} */
  network?: MemoryNetwork
  /**
   * Path emulation applied to sessions this transport dials (both directions); a {@link LinkProfile} is
   * followed as it changes.
   */
  conditions?: Partial<LinkConditions> | LinkProfile
  /** Streams a new session starts with. @default 4 */
  streams?: number
  /** Most streams per session. @default 64 */
  maxStreams?: number
  /** Session bounds (chunk size, windows, message size…). */
  limits?: Partial<SessionLimits>
  /** How long an incoming transfer of a lost session waits for its sender to resume. @default 60000 */
  resumeWindowMs?: number
}

interface DialRequest {
  version: number
  identity: NodeIdentity
  address: string
  sessionId: string
  connection: MemoryConnection
}

interface DialAnswer {
  identity: NodeIdentity
  accept: () => void
}

const DEFAULT_CONDITIONS: LinkConditions = {
  latencyMs: 0,
  lossRate: 0,
  rateBps: 0,
  maxQueuedBytes: 8 * 1024 * 1024,
}

/**
 * The in-memory transport: sessions between transports of one process, with the same semantics as TCP
 * (ordered streams, bounded queues, striped acknowledged transfers, handshake) and optional latency, rate and
 * loss. A first-class transport for tests and for hosts that embed several nodes in one process.
 */
export function memoryTransport(
  init: MemoryTransportInit = {},
): (components: TransportComponents) => Transport {
  return (components) => new MemoryTransport(init, components)
}

class MemoryTransport extends Emitter<TransportEvents> implements Transport {
  readonly name = 'memory'
  readonly #init: MemoryTransportInit
  readonly #components: TransportComponents
  readonly #network: MemoryNetwork
  readonly #conditions: LinkConditions
  readonly #addresses = new Set<string>()
  readonly #sessions = new Set<Session>()
  readonly #resumeStore: ResumeStore
  readonly #acceptor = (request: unknown): unknown => this.#accept(request as DialRequest)
  #started = false

  constructor(init: MemoryTransportInit, components: TransportComponents) {
    super()
    this.#init = init
    this.#components = components
    this.#network = init.network ?? defaultMemoryNetwork
    this.#conditions =
      init.conditions instanceof LinkProfile ? init.conditions : { ...DEFAULT_CONDITIONS, ...init.conditions }
    this.#resumeStore = new ResumeStore(components.clock, init.resumeWindowMs ?? 60_000)
  }

  async start(): Promise<void> {
    this.#started = true
  }

  async stop(): Promise<void> {
    this.#started = false
    for (const address of this.#addresses) this.#network.unbind(address, this.#acceptor)
    this.#addresses.clear()
    await Promise.all([...this.#sessions].map((s) => s.close({ reason: 'transport stopped' })))
    this.#sessions.clear()
    this.#resumeStore.clear()
  }

  async listen(address: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    throwIfAborted(options.signal)
    if (!this.#started) throw new NotStartedError('memory transport')
    const bound = this.#network.bind(address, this.#acceptor)
    this.#addresses.add(bound)
    return bound
  }

  addresses(): string[] {
    return [...this.#addresses]
  }

  sessions(): Session[] {
    return [...this.#sessions]
  }

  async dial(address: string, options: { signal?: AbortSignal } = {}): Promise<Session> {
    throwIfAborted(options.signal)
    if (!this.#started) throw new NotStartedError('memory transport')
    parseMemoryAddress(address)
    const acceptor = this.#network.lookup(address)
    if (!acceptor) throw new PeerUnreachableError(address, 'nothing listens there')
    const { clock, random } = this.#components
    const maxStreams = this.#init.maxStreams ?? 64
    const connection = new MemoryConnection(
      clock,
      random ?? seededRandom(0x5eed),
      this.#conditions,
      this.#init.streams ?? 4,
      maxStreams,
    )
    const local = this.#identity()
    const request: DialRequest = {
      version: PROTOCOL_VERSION,
      identity: local,
      address,
      sessionId: randomUUID(),
      connection,
    }
    let answer: DialAnswer
    try {
      answer = acceptor(request) as DialAnswer
    } catch (error) {
      connection.close()
      throw error
    }
    let remote: NodeIdentity
    try {
      remote = checkPeerIdentity(local, answer.identity, PROTOCOL_VERSION)
    } catch (error) {
      connection.close('b')
      throw error
    }
    const session = this.#track(
      new MultiStreamSession({
        id: request.sessionId,
        remote: { ...remote, address },
        provider: connection.provider('a'),
        transport: this.name,
        rdma: false,
        clock,
        logger: this.#components.logger,
        ...(this.#components.metrics ? { metrics: this.#components.metrics } : {}),
        ...(this.#components.chunkDecoder ? { chunkDecoder: this.#components.chunkDecoder } : {}),
        localMode: () => this.#identity().mode,
        ...(this.#init.limits ? { limits: this.#init.limits } : {}),
        resumeStore: this.#resumeStore,
      }),
    )
    answer.accept()
    return session
  }

  health(): ComponentHealth {
    return {
      status: this.#started ? 'up' : 'down',
      implementation: this.name,
      ...(this.#started ? {} : { reason: 'not started' }),
      details: { addresses: this.addresses(), sessions: this.#sessions.size },
    }
  }

  #identity(): NodeIdentity {
    return this.#components.identity()
  }

  /** Runs the listener's half of the handshake; throws (to the dialler) when it rejects. */
  #accept(request: DialRequest): DialAnswer {
    if (!this.#started) throw new PeerUnreachableError(request.address, 'listener stopped')
    const local = this.#identity()
    let remote: NodeIdentity
    try {
      remote = checkPeerIdentity(local, request.identity, request.version)
    } catch (error) {
      if (isDwcpError(error))
        this.#components.logger.warn({ reason: error.message }, 'rejected an in-memory dial')
      throw error instanceof HandshakeRejectedError ? error : new HandshakeRejectedError(String(error))
    }
    return {
      identity: local,
      accept: () => {
        const session = this.#track(
          new MultiStreamSession({
            id: request.sessionId,
            remote: { ...remote, address: `memory://peer-${remote.nodeId}` },
            provider: request.connection.provider('b'),
            transport: this.name,
            rdma: false,
            clock: this.#components.clock,
            logger: this.#components.logger,
            ...(this.#components.metrics ? { metrics: this.#components.metrics } : {}),
            ...(this.#components.chunkDecoder ? { chunkDecoder: this.#components.chunkDecoder } : {}),
            localMode: () => this.#identity().mode,
            ...(this.#init.limits ? { limits: this.#init.limits } : {}),
            resumeStore: this.#resumeStore,
          }),
        )
        this.emit('session', session)
      },
    }
  }

  #track(session: MultiStreamSession): MultiStreamSession {
    this.#sessions.add(session)
    session.on('close', () => this.#sessions.delete(session))
    return session
  }
}
