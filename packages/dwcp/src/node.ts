import { StreamTuner } from '@dwcp/amst'
import {
  AlreadyStartedError,
  type Codec,
  type CodecContext,
  type Committed,
  ComponentAbsentError,
  type Consensus,
  Emitter,
  InvalidArgumentError,
  METRIC_NAMES,
  type Metrics,
  MODES,
  type Mode,
  type ModeTransition,
  NotStartedError,
  type PathClass,
  PeerUnreachableError,
  type Prediction,
  type Replicator,
  raceAbort,
  recordError,
  type Session,
  type TimerHandle,
  type TransferSource,
} from '@dwcp/core'
import { recordNodeMode } from '@dwcp/metrics'
import { type NodeHealth, nodeHealth } from './health.js'

export type { DwcpNodeEvents, NodeParts } from './node-parts.js'

import type { StopOptions } from './node-options.js'
import type { DwcpNodeEvents, NodeParts } from './node-parts.js'
import { countingCodec, type NodeTransferOptions, type NodeTransferResult } from './node-transfer.js'
import { PathSampler } from './path-sampler.js'

/**
 * A DWCP node: a transport with its sessions, a codec, per-peer predictors, the mode detector and (when
 * configured) replicated state and consensus, started and stopped in dependency order.
 */
export class DwcpNode extends Emitter<DwcpNodeEvents> {
  readonly #parts: NodeParts
  readonly #sessions = new Map<string, Set<Session>>()
  readonly #sampler: PathSampler
  readonly #outgoing = new Set<Promise<unknown>>()
  #started = false
  #unsubscribe: Array<() => void> = []

  constructor(parts: NodeParts) {
    super()
    this.#parts = parts
    this.#sampler = new PathSampler({
      clock: parts.clock,
      logger: parts.logger,
      metrics: parts.metrics,
      detector: parts.detector,
      predictorFactory: parts.predictorFactory,
      sampleIntervalMs: parts.sampleIntervalMs,
      pacing: parts.pacing,
      peers: () => this.peers(),
      session: (peer) => this.session(peer),
      sessionsOf: (peer) => this.#sessions.get(peer) ?? [],
    })
  }

  /** This node's id. */
  get nodeId(): string {
    return this.#parts.nodeId
  }

  /** Its cluster. */
  get clusterId(): string {
    return this.#parts.clusterId
  }

  /** The node's current mode (forced or measured). */
  get mode(): Mode {
    return this.#parts.detector.mode
  }

  /** Whether the node paces internet paths (its `transport.pacing`); off, pacing is left to TCP. */
  get pacingEnabled(): boolean {
    return this.#parts.pacing
  }

  /** The metrics registry, if any. */
  get metrics(): Metrics | undefined {
    return this.#parts.metrics
  }

  /** The codec of the node's mode (in hybrid mode each path's class picks its own: {@link codecFor}). */
  get codec(): Codec {
    return this.#parts.codecs.primary
  }

  /**
   * Whether the host gave `createNode` its own codec: it then sees every byte this node moves, including the
   * frames a migration builds itself (records messages), which the default codecs leave as they are.
   */
  get customCodec(): boolean {
    return this.#parts.codecs.custom
  }

  /** The codec bulk bytes to `peer` are encoded with: the one of the path's class. */
  codecFor(peer: string): Codec {
    return this.#parts.codecs.forClass(this.pathClass(peer))
  }

  /**
   * The class of the path to `peer`: the node's mode outside hybrid mode; in hybrid mode the mode detector's
   * class of that path, from its live samples (with hysteresis and dwell), `internet` until it has one.
   */
  pathClass(peer: string): PathClass {
    const mode = this.#parts.detector.mode
    if (mode !== 'hybrid') return mode
    return this.#parts.detector.pathClass(peer) ?? 'internet'
  }

  /**
   * The path's forecast bandwidth in bits per second: the predictor's when it has samples, else the session's
   * latest measurement; undefined while nothing was measured.
   */
  forecastBps(peer: string): number | undefined {
    return this.#sampler.forecastBps(peer)
  }

  /** Addresses the node listens on (after start). */
  addresses(): string[] {
    return this.#parts.transport.addresses()
  }

  /** Replicated state. Throws DWCP_ERR_COMPONENT_ABSENT when the node has none. */
  get state(): Replicator {
    if (!this.#parts.replicator)
      throw new ComponentAbsentError('replicator', 'no replicated state is configured on this node')
    return this.#parts.replicator
  }

  /** Starts the node: metrics, transport and listeners, replicator, consensus, then path sampling. */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#started) throw new AlreadyStartedError(`node ${this.nodeId}`)
    const { transport, detector, metrics } = this.#parts
    this.#unsubscribe.push(
      detector.on('transition', (t) => this.#onTransition(t)),
      detector.on('path', (t) => {
        this.#sampler.applyClass(t.peer, t.to)
        this.emit('path', t)
      }),
      transport.on('session', (s) => this.#adopt(s)),
    )
    if (metrics) recordNodeMode(metrics, detector.mode)
    await transport.start(options)
    try {
      for (const address of this.#parts.listen) await transport.listen(address, options)
      await this.#parts.replicator?.start(options)
      await this.#parts.consensus?.start(options)
    } catch (error) {
      await transport.stop().catch(() => {})
      throw error
    }
    this.#started = true
    this.#sampler.start()
    this.#parts.logger.info(
      { nodeId: this.nodeId, mode: this.mode, addresses: this.addresses() },
      'node started',
    )
  }

  /** Stops the node in reverse order; with `drain`, running outgoing transfers finish first (bounded). */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.#sampler.stop()
    if (options.drain && this.#outgoing.size > 0) await this.#drain(options.timeoutMs ?? 30_000)
    await this.#parts.consensus?.stop()
    await this.#parts.replicator?.stop()
    await this.#parts.transport.stop()
    for (const off of this.#unsubscribe.splice(0)) off()
    this.#sessions.clear()
    this.#parts.logger.info({ nodeId: this.nodeId }, 'node stopped')
  }

  /** Dials a peer and returns the session. */
  async connect(address: string, options: { signal?: AbortSignal } = {}): Promise<Session> {
    this.#requireStarted()
    const session = await this.#parts.transport.dial(address, options)
    this.#adopt(session)
    return session
  }

  /** The open session to `peer` (a node id), if any. */
  session(peer: string): Session | undefined {
    for (const session of this.#sessions.get(peer) ?? []) if (!session.closed) return session
    return undefined
  }

  /** Node ids of connected peers. */
  peers(): string[] {
    return [...this.#sessions.keys()].filter((peer) => this.session(peer) !== undefined)
  }

  /** Sends a small message to a connected peer. */
  async send(
    peer: string,
    channel: string,
    bytes: Uint8Array,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#sessionTo(peer).send(channel, bytes, options)
  }

  /**
   * Sends a bulk object to a connected peer (striped, acknowledged, digest-checked). Each chunk goes through
   * the codec of the path (see {@link codecFor}) with the path's forecast, unless `options.codec` names another
   * or `options.encoded` says the bytes are this node's frames already; the result says how many bytes the
   * frames took.
   */
  async transfer(
    peer: string,
    source: TransferSource,
    options: NodeTransferOptions = {},
  ): Promise<NodeTransferResult> {
    const session = this.#sessionTo(peer)
    const { encoded, ...transferOptions } = options
    const counted = countingCodec(options.codec ?? this.codecFor(peer))
    const running = session.transfer(source, {
      ...transferOptions,
      ...(encoded
        ? {}
        : {
            codec: counted.codec,
            codecContext: () => this.codecContext(peer),
          }),
    })
    this.#outgoing.add(running)
    try {
      const result = await running
      return { ...result, wireBytes: encoded ? result.sizeBytes : counted.frameBytes() }
    } finally {
      this.#outgoing.delete(running)
    }
  }

  /** Decodes every chunk frame peers send (the codec of a custom node, else any HDE chunk frame). */
  get decoder(): Codec {
    return this.#parts.codecs.decoder
  }

  /** What the codec is told about the path to `peer` when it encodes a chunk: its class and forecast. */
  codecContext(peer: string): CodecContext {
    const bandwidthBps = this.forecastBps(peer)
    return {
      mode: this.pathClass(peer),
      // Encoding runs on the event loop: one core, whatever the machine has.
      cpuBudgetCores: 1,
      ...(bandwidthBps !== undefined ? { predictedBandwidthBps: bandwidthBps } : {}),
    }
  }

  /** Forces the node's mode until {@link releaseMode}. */
  forceMode(mode: Mode): void {
    if (!MODES.includes(mode)) throw new InvalidArgumentError('mode', `must be one of ${MODES.join(', ')}`)
    this.#parts.detector.force(mode)
  }

  /** Lets measurement decide the mode again. */
  releaseMode(): void {
    this.#parts.detector.release()
  }

  /** The latest forecast of the path to `peer`; DWCP_ERR_INVALID_ARGUMENT before its first measured sample. */
  predict(peer: string): Prediction {
    return this.#sampler.predict(peer)
  }

  /** The latest forecast, or undefined before the first sample (a failing predictor is logged and counted). */
  tryPredict(peer: string): Prediction | undefined {
    return this.#sampler.tryPredict(peer)
  }

  /**
   * Whether `peer` may ask this node for work (migrations, placement writes): any peer the transport
   * authenticated when the node belongs to no cluster, else only the cluster's current members.
   */
  isMember(peer: string): boolean {
    const members = this.#parts.members
    return members === undefined || members().includes(peer)
  }

  /** The cluster's consensus (members, leader, membership changes). Throws DWCP_ERR_COMPONENT_ABSENT when there is none. */
  get consensus(): Consensus {
    if (!this.#parts.consensus)
      throw new ComponentAbsentError('consensus', 'no consensus is configured on this node')
    return this.#parts.consensus
  }

  /** Proposes a command to the cluster's consensus. Throws DWCP_ERR_COMPONENT_ABSENT when there is none. */
  async propose(command: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<Committed> {
    if (!this.#parts.consensus)
      throw new ComponentAbsentError('consensus', 'no consensus is configured on this node')
    return raceAbort(this.#parts.consensus.propose(command, options), options.signal)
  }

  /** Joins a cluster through its consensus. Throws DWCP_ERR_COMPONENT_ABSENT when there is none. */
  async join(cluster: { members: string[] }): Promise<void> {
    if (!this.#parts.consensus)
      throw new ComponentAbsentError('consensus', 'no consensus is configured on this node')
    for (const address of cluster.members) await this.connect(address)
  }

  /** Copies state.db. Throws DWCP_ERR_COMPONENT_ABSENT: this release has no durable storage. */
  async backup(_path: string): Promise<void> {
    throw new ComponentAbsentError('storage', 'this release keeps no state.db to back up')
  }

  /** Restores state.db. Throws DWCP_ERR_COMPONENT_ABSENT: this release has no durable storage. */
  async restore(_path: string): Promise<void> {
    throw new ComponentAbsentError('storage', 'this release keeps no state.db to restore')
  }

  /** Health of the node and of each component (see `health.ts`): absent parts do not make it unhealthy. */
  health(): NodeHealth {
    return nodeHealth(this.#parts, {
      started: this.#started,
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      predictors: this.#sampler.predictors(),
    })
  }

  /**
   * A listener of this node's events threw (an application's, or one of the node's own handlers fed by a peer's
   * message): logged and counted in `dwcp_errors_total{component="node"}`; the node and the process go on.
   */
  protected override listenerFailed(error: unknown, event: keyof DwcpNodeEvents): void {
    recordError(this.#parts.metrics, 'node', error)
    this.#parts.logger.error({ event, error: String(error) }, 'an event listener threw')
  }

  #requireStarted(): void {
    if (!this.#started) throw new NotStartedError(`node ${this.nodeId}`)
  }

  #sessionTo(peer: string): Session {
    this.#requireStarted()
    const session = this.session(peer)
    if (!session) throw new PeerUnreachableError(peer, 'no open session to this peer')
    return session
  }

  #adopt(session: Session): void {
    const peer = session.remote.nodeId
    let set = this.#sessions.get(peer)
    if (!set) {
      set = new Set()
      this.#sessions.set(peer, set)
    }
    if (set.has(session)) return
    set.add(session)
    session.on('message', (channel, bytes) => this.emit('message', peer, channel, bytes))
    session.on('transfer', (incoming) => {
      if (!this.emit('transfer', peer, incoming)) incoming.reject('the node has no transfer receiver')
    })
    const tuning = this.#parts.streamTuning
    const tuner =
      // TCP sessions only: a UCX endpoint's lanes and in-memory links gain nothing from more streams.
      tuning && session.remote.address.startsWith('tcp://')
        ? new StreamTuner(session, this.#parts.clock, tuning)
        : undefined
    tuner?.start()
    session.on('close', () => {
      tuner?.stop()
      set.delete(session)
      if (set.size === 0) {
        this.#sessions.delete(peer)
        this.#sampler.forget(peer)
      }
    })
    this.emit('session', session)
  }

  #onTransition(transition: ModeTransition): void {
    const metrics = this.#parts.metrics
    metrics?.counter(METRIC_NAMES.amstModeTransitions).inc({ from: transition.from, to: transition.to })
    if (metrics) recordNodeMode(metrics, transition.to)
    this.#parts.logger.info({ ...transition }, 'mode transition')
    this.emit('mode', transition)
  }

  async #drain(timeoutMs: number): Promise<void> {
    let timer: TimerHandle | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = this.#parts.clock.setTimeout(resolve, timeoutMs)
    })
    await Promise.race([Promise.allSettled([...this.#outgoing]), timeout])
    if (timer) this.#parts.clock.clearTimeout(timer)
  }
}
