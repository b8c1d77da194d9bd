import { StreamTuner, type StreamTunerOptions } from '@dwcp/amst'
import {
  AlreadyStartedError,
  type Clock,
  type Codec,
  type Committed,
  ComponentAbsentError,
  type ComponentHealth,
  type Consensus,
  Emitter,
  type IncomingTransfer,
  InvalidArgumentError,
  type Logger,
  METRIC_NAMES,
  type Metrics,
  MODES,
  type Mode,
  type ModeDetector,
  type ModeTransition,
  NotStartedError,
  PeerUnreachableError,
  type Prediction,
  type Predictor,
  type PredictorFactory,
  type Replicator,
  raceAbort,
  type Session,
  type TimerHandle,
  type TransferOptions,
  type TransferResult,
  type TransferSource,
  type Transport,
} from '@dwcp/core'
import { recordNodeMode } from '@dwcp/metrics'
import { type NodeHealth, overallStatus } from './health.js'
import type { StopOptions } from './node-options.js'

/** Events of a {@link DwcpNode}. */
export interface DwcpNodeEvents {
  /** The node's mode changed. */
  mode: [transition: ModeTransition]
  /** A session opened (dialled or accepted). */
  session: [session: Session]
  /** A message arrived from `peer` on `channel`. */
  message: [peer: string, channel: string, bytes: Uint8Array]
  /**
   * A peer offers a bulk transfer. Accept or reject it from the listener (accepting may take its time to
   * finish); with no listener the offer is rejected.
   */
  transfer: [peer: string, incoming: IncomingTransfer]
}

/** The parts a node is composed of (built by `createNode`). */
export interface NodeParts {
  nodeId: string
  clusterId: string
  listen: string[]
  transport: Transport
  codec: Codec
  /** Which codec is serving, and why it is not the mode's preferred one (if it is not). */
  codecHealth: ComponentHealth
  predictorFactory: PredictorFactory
  predictorHealth: ComponentHealth
  replicator: Replicator | undefined
  consensus: Consensus | undefined
  /** Health of `state.db`, when the node keeps one. */
  storageHealth?: (() => ComponentHealth) | undefined
  /** Consensus facts for health (role, term, leader, indexes), when the node runs one. */
  consensusDetails?: (() => Record<string, unknown>) | undefined
  metrics: Metrics | undefined
  metricsHealth: ComponentHealth
  logger: Logger
  clock: Clock
  detector: ModeDetector
  sampleIntervalMs: number
  /** Tunes each network session's stream count from goodput; false leaves counts as set. */
  streamTuning: StreamTunerOptions | false
}

/**
 * A DWCP node: a transport with its sessions, a codec, per-peer predictors, the mode detector and (when
 * configured) replicated state and consensus, started and stopped in dependency order.
 */
export class DwcpNode extends Emitter<DwcpNodeEvents> {
  readonly #parts: NodeParts
  readonly #sessions = new Map<string, Set<Session>>()
  readonly #predictors = new Map<string, Predictor>()
  readonly #outgoing = new Set<Promise<unknown>>()
  #sampleTimer: TimerHandle | undefined
  #started = false
  #unsubscribe: Array<() => void> = []

  constructor(parts: NodeParts) {
    super()
    this.#parts = parts
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

  /** The metrics registry, if any. */
  get metrics(): Metrics | undefined {
    return this.#parts.metrics
  }

  /** The codec the node encodes bulk data with. */
  get codec(): Codec {
    return this.#parts.codec
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
    this.#scheduleSampling()
    this.#parts.logger.info(
      { nodeId: this.nodeId, mode: this.mode, addresses: this.addresses() },
      'node started',
    )
  }

  /** Stops the node in reverse order; with `drain`, running outgoing transfers finish first (bounded). */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.#started) return
    this.#started = false
    if (this.#sampleTimer) this.#parts.clock.clearTimeout(this.#sampleTimer)
    this.#sampleTimer = undefined
    if (options.drain && this.#outgoing.size > 0) await this.#drain(options.timeoutMs ?? 30_000)
    await this.#parts.consensus?.stop()
    await this.#parts.replicator?.stop()
    await this.#parts.transport.stop()
    for (const off of this.#unsubscribe.splice(0)) off()
    this.#sessions.clear()
    await Promise.all([...this.#predictors.values()].map((p) => closePredictor(p)))
    this.#predictors.clear()
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

  /** Sends a bulk object to a connected peer (striped, acknowledged, digest-checked). */
  async transfer(
    peer: string,
    source: TransferSource,
    options: TransferOptions = {},
  ): Promise<TransferResult> {
    const running = this.#sessionTo(peer).transfer(source, options)
    this.#outgoing.add(running)
    try {
      return await running
    } finally {
      this.#outgoing.delete(running)
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

  /** The latest forecast of the path to `peer`. */
  predict(peer: string): Prediction {
    const predictor = this.#predictors.get(peer)
    if (!predictor) throw new InvalidArgumentError('peer', `no samples of the path to ${peer} yet`)
    return predictor.predict()
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

  /** Health of the node and of each component. */
  health(): NodeHealth {
    const absent = (component: string): ComponentHealth => ({
      status: 'absent',
      reason: `no ${component} is configured on this node`,
    })
    const { detector } = this.#parts
    const components: Record<string, ComponentHealth> = {
      transport: this.#parts.transport.health(),
      codec: this.#parts.codecHealth,
      predictor: { ...this.#parts.predictorHealth, details: { peers: this.#predictors.size } },
      modeDetector: {
        status: 'up',
        implementation: 'hysteresis',
        details: {
          mode: detector.mode,
          measuredMode: detector.measuredMode,
          forced: detector.forced ?? null,
        },
      },
      metrics: this.#parts.metricsHealth,
      replicator: this.#parts.replicator
        ? { status: 'up', implementation: this.#parts.replicator.consistency }
        : absent('replicated state'),
      consensus: this.#parts.consensus
        ? {
            status: 'up',
            implementation: this.#parts.consensus.protocol,
            ...(this.#parts.consensusDetails ? { details: this.#parts.consensusDetails() } : {}),
          }
        : absent('consensus'),
      storage: this.#parts.storageHealth?.() ?? {
        status: 'absent',
        reason: 'no cluster state is configured on this node',
      },
    }
    return {
      status: overallStatus(this.#started, components),
      started: this.#started,
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      mode: detector.mode,
      modeForced: detector.forced !== undefined,
      components,
    }
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
      tuning && this.#parts.transport.name === 'tcp'
        ? new StreamTuner(session, this.#parts.clock, tuning)
        : undefined
    tuner?.start()
    session.on('close', () => {
      tuner?.stop()
      set.delete(session)
      if (set.size === 0) {
        this.#sessions.delete(peer)
        const predictor = this.#predictors.get(peer)
        if (predictor) void closePredictor(predictor)
        this.#predictors.delete(peer)
        this.#parts.detector.forget(peer)
      }
    })
    this.emit('session', session)
  }

  #scheduleSampling(): void {
    this.#sampleTimer = this.#parts.clock.setTimeout(() => {
      this.#sample()
      if (this.#started) this.#scheduleSampling()
    }, this.#parts.sampleIntervalMs)
  }

  /** Feeds each peer's latest path sample to the mode detector and to the peer's predictor. */
  #sample(): void {
    for (const peer of this.peers()) {
      const session = this.session(peer)
      if (!session) continue
      const sample = session.sample()
      if (sample.rttMs <= 0 && sample.bandwidthBps <= 0) continue // nothing measured yet
      this.#parts.detector.observe(peer, sample)
      if (sample.bandwidthBps <= 0) continue // an idle path says nothing about its throughput
      let predictor = this.#predictors.get(peer)
      if (!predictor) {
        predictor = this.#parts.predictorFactory({
          clock: this.#parts.clock,
          logger: this.#parts.logger,
          ...(this.#parts.metrics ? { metrics: this.#parts.metrics } : {}),
        })
        this.#predictors.set(peer, predictor)
      }
      predictor.observe(sample)
    }
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

/** Releases what a predictor holds (an onnxruntime session, for the learned ones); core's Predictor has no close. */
async function closePredictor(predictor: Predictor): Promise<void> {
  const closable = predictor as Predictor & { close?: () => Promise<void> }
  await closable.close?.().catch(() => {})
}
