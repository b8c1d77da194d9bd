import { randomBytes, randomUUID } from 'node:crypto'
import { connect as netConnect, createServer as netCreateServer, type Server, type Socket } from 'node:net'
import {
  type ComponentHealth,
  ConfigInvalidError,
  Emitter,
  HandshakeRejectedError,
  isDwcpError,
  METRIC_NAMES,
  type NodeIdentity,
  NotStartedError,
  PeerUnreachableError,
  raceAbort,
  type Session,
  type Transport,
  type TransportComponents,
  type TransportEvents,
  throwIfAborted,
} from '@dwcp/core'
import { checkPeerIdentity, PROTOCOL_VERSION } from '../handshake.js'
import { DEFAULT_SESSION_LIMITS, maxPayloadBytes, type SessionLimits } from '../session/limits.js'
import { MultiStreamSession } from '../session/multi-stream-session.js'
import { ResumeStore } from '../session/resume-store.js'
import { requirePlaintextExplicit, type TlsConfig } from '../tls/index.js'
import { TransferIds } from '../wire/session-codec.js'
import {
  applyCongestion,
  type NativeSocketFunctions,
  nativeSocketFunctions,
  socketsStats,
} from './native-socket.js'
import { formatTcpAddress, parseTcpAddress } from './tcp-address.js'
import {
  helloBytes,
  identityOf,
  parseHello,
  parseWelcome,
  readHandshake,
  rejectBytes,
  welcomeBytes,
} from './tcp-handshake.js'
import { TcpStreamProvider, type TcpStreamProviderInit } from './tcp-provider.js'
import { TcpStream } from './tcp-stream.js'
import { createTlsLayer, type TlsLayer } from './tls-layer.js'

/** Options of {@link tcpTransport}. */
export interface TcpTransportInit {
  /**
   * TLS 1.3 with mutual authentication, or plaintext when asked for explicitly (`false`, or `enabled: false`):
   * leaving it out is a configuration error.
   */
  tls: TlsConfig | false
  /** Streams a dialled session starts with. @default 4 */
  streams?: number
  /** Most streams per session (1–512). @default 64 */
  maxStreams?: number
  /** Congestion control per socket (`bbr`, `cubic`, `reno`), through the native addon when present. */
  congestion?: string
  /** Bytes a stream queues in the kernel and Node before writes wait. @default 4194304 */
  maxQueuedBytesPerStream?: number
  /** Longest a dial or a handshake may take. @default 10000 */
  handshakeTimeoutMs?: number
  /** Session bounds (chunk size, windows, message size…). */
  limits?: Partial<SessionLimits>
  /** How long an incoming transfer of a lost session waits for its sender to reconnect and resume. @default 60000 */
  resumeWindowMs?: number
}

interface Accepted {
  ids: TransferIds
  provider: TcpStreamProvider
  token: string
  peerNodeId: string
}

/**
 * The TCP transport: a session is N TCP (or TLS 1.3) connections to one peer, stream 0 for control and
 * messages, chunks striped over all of them. See docs/PROTOCOL.md.
 */
export function tcpTransport(init: TcpTransportInit): (components: TransportComponents) => Transport {
  if (init === undefined || (init.tls !== false && typeof init.tls !== 'object'))
    throw new ConfigInvalidError(
      'tls',
      'set tls (TLS 1.3 with mutual authentication) or tls: false for plaintext',
    )
  const tlsEnabled = init.tls !== false && requirePlaintextExplicit(init.tls)
  const maxStreams = init.maxStreams ?? 64
  if (!Number.isInteger(maxStreams) || maxStreams < 1 || maxStreams > 512)
    throw new ConfigInvalidError('transport.streams', 'the most streams per session must be 1..512')
  const tlsLayer = tlsEnabled ? createTlsLayer(init.tls as TlsConfig) : undefined
  return (components) => new TcpTransport(init, maxStreams, tlsLayer, components)
}

class TcpTransport extends Emitter<TransportEvents> implements Transport {
  readonly name = 'tcp'
  readonly #init: TcpTransportInit
  readonly #maxStreams: number
  readonly #tls: TlsLayer | undefined
  readonly #components: TransportComponents
  readonly #limits: SessionLimits
  readonly #servers = new Map<string, Server>()
  readonly #sessions = new Set<Session>()
  readonly #accepted = new Map<string, Accepted>()
  readonly #sockets = new Set<Socket>()
  readonly #resumeStore: ResumeStore
  #native: NativeSocketFunctions | string = 'not loaded'
  #started = false

  constructor(
    init: TcpTransportInit,
    maxStreams: number,
    tls: TlsLayer | undefined,
    components: TransportComponents,
  ) {
    super()
    this.#init = init
    this.#maxStreams = maxStreams
    this.#tls = tls
    this.#components = components
    this.#limits = { ...DEFAULT_SESSION_LIMITS, ...init.limits }
    this.#resumeStore = new ResumeStore(components.clock, init.resumeWindowMs ?? 60_000)
  }

  async start(): Promise<void> {
    this.#native = await nativeSocketFunctions()
    this.#started = true
  }

  async stop(): Promise<void> {
    this.#started = false
    await Promise.all([...this.#sessions].map((s) => s.close({ reason: 'transport stopped' })))
    this.#sessions.clear()
    this.#resumeStore.clear()
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
    await Promise.all(
      [...this.#servers.values()].map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      ),
    )
    this.#servers.clear()
  }

  async listen(address: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    throwIfAborted(options.signal)
    if (!this.#started) throw new NotStartedError('tcp transport')
    const { host, port } = parseTcpAddress(address)
    const onSocket = (socket: Socket): void => void this.#onConnection(socket)
    const server = this.#tls
      ? this.#tls.createServer(onSocket, (refused) => {
          this.#countError(refused)
          this.#components.logger.warn(
            { peer: refused.data.peer, reason: refused.data.reason },
            'refused a TLS peer',
          )
        })
      : netCreateServer(onSocket)
    await raceAbort(
      new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve()
        })
      }),
      options.signal,
    )
    const bound = server.address()
    const boundAddress = formatTcpAddress(host, typeof bound === 'object' && bound ? bound.port : port)
    this.#servers.set(boundAddress, server)
    return boundAddress
  }

  addresses(): string[] {
    return [...this.#servers.keys()]
  }

  sessions(): Session[] {
    return [...this.#sessions]
  }

  async dial(address: string, options: { signal?: AbortSignal } = {}): Promise<Session> {
    throwIfAborted(options.signal)
    if (!this.#started) throw new NotStartedError('tcp transport')
    const { host, port } = parseTcpAddress(address)
    const sessionId = randomUUID()
    const local = this.#components.identity()
    const control = await raceAbort(
      this.#openStream(host, port, { identity: local, sessionId, streamIndex: 0 }),
      options.signal,
    )
    let remote: NodeIdentity
    try {
      remote = checkPeerIdentity(local, control.identity, PROTOCOL_VERSION)
      this.#tls?.bindNodeId(control.socket, remote.nodeId, 'client')
    } catch (error) {
      control.socket.destroy()
      this.#countError(error)
      throw error
    }
    const ids = new TransferIds()
    let provider: TcpStreamProvider | undefined
    const events = {
      frame: (f: Parameters<TcpStreamProvider['events']['frame']>[0]) => provider?.events.frame(f),
      end: (s: TcpStream, e: Error | undefined) => provider?.events.end(s, e),
    }
    const stream = this.#stream(control.socket, ids, events)
    provider = new TcpStreamProvider({
      ids,
      control: stream,
      maxStreams: Math.min(this.#maxStreams, remote.capabilities.maxStreams),
      ...this.#socketHooks(),
      dialStream: async (index) => {
        const joined = await this.#openStream(host, port, {
          identity: local,
          sessionId,
          streamIndex: index,
          token: control.token,
        })
        const extra = this.#stream(joined.socket, ids, events)
        extra.feed(joined.rest)
        joined.socket.resume()
        return extra
      },
    })
    const session = this.#track(this.#session(sessionId, { ...remote, address }, provider))
    stream.feed(control.rest)
    control.socket.resume()
    provider.setStreamCount(this.#init.streams ?? 4)
    return session
  }

  health(): ComponentHealth {
    return {
      status: this.#started ? 'up' : 'down',
      implementation: this.#tls ? 'tcp+tls1.3' : 'tcp',
      ...(this.#started ? {} : { reason: 'not started' }),
      details: {
        addresses: this.addresses(),
        sessions: this.#sessions.size,
        congestion: this.#init.congestion ?? 'kernel default',
        nativeSocketFunctions: typeof this.#native === 'string' ? this.#native : 'available',
      },
    }
  }

  /** Connects one stream and runs the dialler's half of the handshake. */
  async #openStream(
    host: string,
    port: number,
    hello: Parameters<typeof helloBytes>[0],
  ): Promise<{ socket: Socket; identity: unknown; token: string; rest: Uint8Array }> {
    const timeoutMs = this.#init.handshakeTimeoutMs ?? 10_000
    const socket = await this.#connect(host, port, timeoutMs)
    try {
      socket.write(helloBytes(hello))
      const { message, rest } = await readHandshake(socket, timeoutMs)
      const { identity, token } = parseWelcome(message)
      return { socket, identity, token, rest }
    } catch (error) {
      socket.destroy()
      this.#countError(error)
      throw error
    }
  }

  #connect(host: string, port: number, timeoutMs: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const address = formatTcpAddress(host, port)
      const socket = this.#tls ? this.#tls.connect(host, port) : netConnect({ host, port })
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new PeerUnreachableError(address, `no connection within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once(this.#tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        try {
          this.#tls?.authorize(socket, 'client')
        } catch (error) {
          socket.destroy()
          this.#countError(error)
          reject(error)
          return
        }
        applyCongestion(this.#native, socket, this.#init.congestion, this.#components.logger)
        resolve(socket)
      })
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        socket.destroy()
        reject(
          this.#tls &&
            !['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(error.code ?? '')
            ? this.#tls.handshakeError(error, address)
            : new PeerUnreachableError(address, error.message),
        )
      })
    })
  }

  /** The listener's half: authorise (TLS), read the hello, open a session or join one. */
  async #onConnection(socket: Socket): Promise<void> {
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
    socket.on('error', () => {})
    const peerAddress = formatTcpAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0)
    try {
      this.#tls?.authorize(socket, 'server')
      applyCongestion(this.#native, socket, this.#init.congestion, this.#components.logger)
      const { message, rest } = await readHandshake(socket, this.#init.handshakeTimeoutMs ?? 10_000)
      const hello = parseHello(message)
      const local = this.#components.identity()
      const remote = checkPeerIdentity(local, identityOf(hello.identity), message.version)
      this.#tls?.bindNodeId(socket, remote.nodeId, 'server')
      if (hello.streamIndex === 0)
        this.#openSession(socket, hello.sessionId, local, remote, peerAddress, rest)
      else this.#joinSession(socket, hello, remote, rest, local)
    } catch (error) {
      this.#countError(error)
      this.#components.logger.warn(
        { peer: peerAddress, reason: (error as Error).message },
        'refused a connection',
      )
      if (!socket.destroyed && isDwcpError(error)) socket.end(rejectBytes((error as Error).message))
      else socket.destroy()
    }
  }

  #openSession(
    socket: Socket,
    sessionId: string,
    local: NodeIdentity,
    remote: NodeIdentity,
    address: string,
    rest: Uint8Array,
  ): void {
    if (!this.#started) throw new PeerUnreachableError(address, 'transport stopped')
    if (this.#accepted.has(sessionId)) throw new HandshakeRejectedError('session id in use')
    const token = randomBytes(16).toString('hex')
    const ids = new TransferIds()
    let provider: TcpStreamProvider | undefined
    const stream = this.#stream(socket, ids, {
      frame: (f) => provider?.events.frame(f),
      end: (s, e) => provider?.events.end(s, e),
    })
    provider = new TcpStreamProvider({
      ids,
      control: stream,
      maxStreams: Math.min(this.#maxStreams, remote.capabilities.maxStreams),
      ...this.#socketHooks(),
    })
    this.#accepted.set(sessionId, { ids, provider, token, peerNodeId: remote.nodeId })
    socket.write(welcomeBytes(local, token))
    const session = this.#track(this.#session(sessionId, { ...remote, address }, provider))
    session.on('close', () => this.#accepted.delete(sessionId))
    this.emit('session', session)
    stream.feed(rest)
    socket.resume()
  }

  #joinSession(
    socket: Socket,
    hello: ReturnType<typeof parseHello>,
    remote: NodeIdentity,
    rest: Uint8Array,
    local: NodeIdentity,
  ): void {
    const entry = this.#accepted.get(hello.sessionId)
    if (!entry || entry.token !== hello.token || entry.peerNodeId !== remote.nodeId)
      throw new HandshakeRejectedError('no such session to join')
    socket.write(welcomeBytes(local, entry.token))
    const stream = this.#stream(socket, entry.ids, entry.provider.events)
    entry.provider.attach(stream)
    stream.feed(rest)
    socket.resume()
  }

  #stream(socket: Socket, ids: TransferIds, events: ConstructorParameters<typeof TcpStream>[4]): TcpStream {
    return new TcpStream(
      socket,
      ids,
      maxPayloadBytes(this.#limits),
      this.#init.maxQueuedBytesPerStream ?? 4 * 1024 * 1024,
      events,
    )
  }

  #session(id: string, remote: Session['remote'], provider: TcpStreamProvider): MultiStreamSession {
    return new MultiStreamSession({
      id,
      remote,
      provider,
      transport: this.name,
      rdma: false,
      clock: this.#components.clock,
      logger: this.#components.logger,
      ...(this.#components.metrics ? { metrics: this.#components.metrics } : {}),
      ...(this.#components.chunkDecoder ? { chunkDecoder: this.#components.chunkDecoder } : {}),
      localMode: () => this.#components.identity().mode,
      limits: this.#limits,
      resumeStore: this.#resumeStore,
    })
  }

  #track(session: MultiStreamSession): MultiStreamSession {
    this.#sessions.add(session)
    session.on('close', () => this.#sessions.delete(session))
    return session
  }

  /** What a session's streams need of the native addon: TCP_INFO, and congestion control set per socket. */
  #socketHooks(): Pick<TcpStreamProviderInit, 'stats' | 'applyCongestion'> {
    const logger = this.#components.logger
    return {
      stats: (streams) =>
        socketsStats(
          this.#native,
          streams.map((s) => s.socket),
        ),
      applyCongestion: (socket, algorithm) => applyCongestion(this.#native, socket, algorithm, logger),
    }
  }

  #countError(error: unknown): void {
    if (isDwcpError(error))
      this.#components.metrics?.counter(METRIC_NAMES.errors).inc({ component: 'amst', code: error.code })
  }
}
