import { randomUUID } from 'node:crypto'
import {
  AddressInUseError,
  type ComponentHealth,
  ConfigInvalidError,
  Emitter,
  InvalidArgumentError,
  isDwcpError,
  METRIC_NAMES,
  NativeUnavailableError,
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
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from '../session/limits.js'
import { formatUcxAddress, parseUcxAddress, resolveUcxHost } from './ucx-address.js'
import { withDeadline } from './ucx-deadline.js'
import { acceptHello, dialHandshake, sendReject, sendWelcome } from './ucx-handshake.js'
import {
  createUcxWorker,
  loadUcxModule,
  type UcxEndpointHandle,
  type UcxNativeModule,
  type UcxWorkerHandle,
} from './ucx-native.js'
import type { UcxLaneProvider } from './ucx-provider.js'
import { announcedIdentity, openUcxSession } from './ucx-session.js'
import { LANES_MAX } from './ucx-tags.js'

/** Options of {@link ucxTransport}. */
export interface UcxTransportInit {
  /** UCX transports, as `UCX_TLS` (`rc,ud,sm` on RDMA hardware, `tcp` on loopback). @default UCX's own choice */
  transports?: string
  /** Devices, as `UCX_NET_DEVICES` (the config's `transport.rdma_device`, e.g. `mlx5_0:1`). @default every device */
  netDevices?: string
  /** Progress UCX on every event-loop turn while operations are in flight (latency for a core). @default false */
  busyPoll?: boolean
  /** Lanes each side of a session sends on at first. @default 4 */
  streams?: number
  /** Most lanes per session (1–255); the handshake announces the lower of this and the node's cap. @default 64 */
  maxStreams?: number
  /** Bytes one lane may have in sends UCX has not completed before writes wait. @default 4194304 */
  maxInFlightBytesPerLane?: number
  /** Longest a connection or a handshake may take. @default 10000 */
  handshakeTimeoutMs?: number
  /** Longest `stop()` waits for endpoints to flush what they were sending before it closes the workers. @default 2000 */
  closeTimeoutMs?: number
  /** Session bounds (chunk size, windows, message size…). */
  limits?: Partial<SessionLimits>
  /** Loads the addon's module. @default a dynamic import of `@dwcp/rdma-native` */
  load?: () => Promise<UcxNativeModule>
}

/**
 * The UCX transport (datacenter mode, RDMA where the hardware has it): a session is one UCX endpoint whose
 * frames travel as tagged messages on up to 255 lanes, lane 0 for control and messages, chunks striped over all
 * lanes in use; the session engine is the one TCP uses. `@dwcp/rdma-native` is loaded in `start()`, which
 * rejects with `DWCP_ERR_NATIVE_UNAVAILABLE` (and the reason) when the addon or UCX cannot be used, so the node
 * can fall back to TCP. Addresses are `ucx://host:port`.
 */
export function ucxTransport(init: UcxTransportInit = {}): (components: TransportComponents) => Transport {
  const maxStreams = init.maxStreams ?? 64
  if (!Number.isInteger(maxStreams) || maxStreams < 1 || maxStreams > LANES_MAX)
    throw new ConfigInvalidError(
      'transport.streams',
      `the most lanes per UCX session must be 1..${LANES_MAX}`,
    )
  const streams = init.streams ?? 4
  if (!Number.isInteger(streams) || streams < 1)
    throw new ConfigInvalidError('transport.streams', 'a session needs at least one lane')
  return (components) => new UcxTransport(init, maxStreams, components)
}

class UcxTransport extends Emitter<TransportEvents> implements Transport {
  readonly name = 'ucx'
  readonly #init: UcxTransportInit
  readonly #maxStreams: number
  readonly #components: TransportComponents
  readonly #limits: SessionLimits
  readonly #listeners = new Map<string, UcxWorkerHandle>()
  readonly #sessions = new Map<Session, UcxLaneProvider>()
  readonly #handshaking = new Set<UcxEndpointHandle>()
  readonly #closing = new Set<Promise<void>>()
  #native: UcxNativeModule | undefined
  #worker: UcxWorkerHandle | undefined
  #unavailable: string | undefined
  #started = false

  constructor(init: UcxTransportInit, maxStreams: number, components: TransportComponents) {
    super()
    this.#init = init
    this.#maxStreams = maxStreams
    this.#components = components
    this.#limits = { ...DEFAULT_SESSION_LIMITS, ...init.limits }
  }

  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal)
    if (this.#started) return
    try {
      this.#native = await (this.#init.load ?? loadUcxModule)()
      this.#worker = createUcxWorker(this.#native, this.#settings())
    } catch (error) {
      const unavailable = isDwcpError(error, 'DWCP_ERR_NATIVE_UNAVAILABLE')
        ? (error as NativeUnavailableError)
        : new NativeUnavailableError(
            `@dwcp/rdma-native failed to load: ${String((error as Error)?.message ?? error)}`,
            error,
          )
      this.#unavailable = unavailable.data.reason
      this.#countError(unavailable)
      throw unavailable
    }
    this.#unavailable = undefined
    this.#started = true
  }

  async stop(): Promise<void> {
    this.#started = false
    await Promise.all([...this.#sessions.keys()].map((s) => s.close({ reason: 'transport stopped' })))
    for (const endpoint of this.#handshaking) void endpoint.close({ force: true }).catch(() => {})
    this.#handshaking.clear()
    const clock = this.#components.clock
    await withDeadline(
      Promise.all(this.#closing),
      clock,
      this.#init.closeTimeoutMs ?? 2000,
      'ucx close',
    ).catch(() => {})
    for (const worker of this.#listeners.values()) if (worker !== this.#worker) worker.close()
    this.#listeners.clear()
    this.#worker?.close()
    this.#worker = undefined
  }

  async listen(address: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    throwIfAborted(options.signal)
    const { host, port } = parseUcxAddress(address)
    this.#ready()
    const ip = await resolveUcxHost(host).catch((error: Error) => {
      throw new InvalidArgumentError('address', `cannot resolve ${host}: ${error.message}`)
    })
    const primary = this.#ready()
    const worker = [...this.#listeners.values()].includes(primary)
      ? createUcxWorker(this.#native as UcxNativeModule, this.#settings())
      : primary
    let bound: { port: number }
    try {
      bound = worker.listen(ip, port)
    } catch (error) {
      if (worker !== primary) worker.close()
      if (
        isDwcpError(error, 'DWCP_ERR_UCX') &&
        (error.data as { statusName?: string }).statusName === 'UCS_ERR_BUSY'
      )
        throw new AddressInUseError(address)
      throw error
    }
    worker.on('connection', (endpoint) => void this.#accept(endpoint))
    const boundAddress = formatUcxAddress(host, bound.port)
    this.#listeners.set(boundAddress, worker)
    return boundAddress
  }

  addresses(): string[] {
    return [...this.#listeners.keys()]
  }

  sessions(): Session[] {
    return [...this.#sessions.keys()]
  }

  async dial(address: string, options: { signal?: AbortSignal } = {}): Promise<Session> {
    throwIfAborted(options.signal)
    const worker = this.#ready()
    const { host, port } = parseUcxAddress(address)
    const timing = { clock: this.#components.clock, timeoutMs: this.#init.handshakeTimeoutMs ?? 10_000 }
    let endpoint: UcxEndpointHandle
    let connecting: Promise<UcxEndpointHandle> | undefined
    try {
      const ip = await resolveUcxHost(host)
      connecting = worker.connect(ip, port)
      endpoint = await raceAbort(
        withDeadline(connecting, timing.clock, timing.timeoutMs, 'ucx connect'),
        options.signal,
      )
    } catch (error) {
      // A connection that completes after the deadline or the abort is closed at once.
      connecting?.then((late) => late.close({ force: true })).catch(() => {})
      if (isDwcpError(error, 'DWCP_ERR_ABORTED')) throw error
      const unreachable = new PeerUnreachableError(address, (error as Error).message)
      this.#countError(unreachable)
      throw unreachable
    }
    const sessionId = randomUUID()
    const local = announcedIdentity(this.#components.identity(), this.#maxStreams)
    this.#handshaking.add(endpoint)
    let remote: NodeIdentity
    try {
      remote = await raceAbort(
        dialHandshake(endpoint, { identity: local, sessionId }, timing),
        options.signal,
      )
      if (!this.#started) throw new NotStartedError('ucx transport')
    } catch (error) {
      void endpoint.close({ force: true }).catch(() => {})
      this.#countError(error)
      throw error
    } finally {
      this.#handshaking.delete(endpoint)
    }
    return this.#open(sessionId, endpoint, { ...remote, address }, local)
  }

  health(): ComponentHealth {
    const providers = [...this.#sessions.values()]
    const details = {
      addresses: this.addresses(),
      sessions: providers.length,
      transports: this.#init.transports ?? 'UCX default',
      netDevices: this.#init.netDevices ?? 'every device',
      lanes: [...new Set(providers.flatMap((p) => p.transportsInUse()))],
      rdma: providers.some((p) => p.usesRdma()),
    }
    if (this.#started) return { status: 'up', implementation: 'ucx', details }
    return { status: 'down', implementation: 'ucx', reason: this.#unavailable ?? 'not started', details }
  }

  /** The listener's half of a new connection: hello, then a session or a reject. */
  async #accept(endpoint: UcxEndpointHandle): Promise<void> {
    const peer = `ucx://${endpoint.peerAddress}`
    if (!this.#started) {
      void endpoint.close({ force: true }).catch(() => {})
      return
    }
    this.#handshaking.add(endpoint)
    const local = announcedIdentity(this.#components.identity(), this.#maxStreams)
    try {
      const timing = { clock: this.#components.clock, timeoutMs: this.#init.handshakeTimeoutMs ?? 10_000 }
      const { sessionId, remote } = await acceptHello(endpoint, local, timing)
      if (!this.#started) throw new PeerUnreachableError(peer, 'transport stopped')
      await sendWelcome(endpoint, local)
      if (!this.#started) throw new PeerUnreachableError(peer, 'transport stopped')
      this.#handshaking.delete(endpoint)
      this.emit('session', this.#open(sessionId, endpoint, { ...remote, address: peer }, local))
    } catch (error) {
      this.#handshaking.delete(endpoint)
      this.#countError(error)
      this.#components.logger.warn({ peer, reason: (error as Error).message }, 'refused a UCX connection')
      // A typed refusal is told to the peer, then the endpoint is flushed and closed; anything else is cut.
      if (isDwcpError(error)) await sendReject(endpoint, (error as Error).message)
      await endpoint.close({ force: !isDwcpError(error) }).catch(() => {})
    }
  }

  #open(id: string, endpoint: UcxEndpointHandle, remote: Session['remote'], local: NodeIdentity): Session {
    const { session, provider } = openUcxSession(id, endpoint, remote, local, {
      components: this.#components,
      limits: this.#limits,
      lanes: this.#init.streams ?? 4,
      maxInFlightBytesPerLane: this.#init.maxInFlightBytesPerLane ?? 4 * 1024 * 1024,
    })
    this.#sessions.set(session, provider)
    session.on('close', () => {
      this.#sessions.delete(session)
      const closed = provider.whenClosed()
      this.#closing.add(closed)
      void closed.then(() => this.#closing.delete(closed))
    })
    return session
  }

  #ready(): UcxWorkerHandle {
    if (!this.#started || !this.#worker) throw new NotStartedError('ucx transport')
    return this.#worker
  }

  #settings(): { transports?: string; netDevices?: string; busyPoll: boolean } {
    return {
      ...(this.#init.transports !== undefined ? { transports: this.#init.transports } : {}),
      ...(this.#init.netDevices !== undefined ? { netDevices: this.#init.netDevices } : {}),
      busyPoll: this.#init.busyPoll ?? false,
    }
  }

  #countError(error: unknown): void {
    if (isDwcpError(error))
      this.#components.metrics?.counter(METRIC_NAMES.errors).inc({ component: 'amst', code: error.code })
  }
}
