import { randomUUID } from 'node:crypto'
import {
  type Clock,
  type Codec,
  type CodecContext,
  Emitter,
  InvalidArgumentError,
  type Logger,
  METRIC_NAMES,
  type Metrics,
  type Mode,
  type PathSample,
  type PeerInfo,
  raceAbort,
  type Session,
  SessionClosedError,
  type SessionEvents,
  type TimerHandle,
  TransferFailedError,
  type TransferOptions,
  type TransferResult,
  type TransferSource,
  throwIfAborted,
} from '@dwcp/core'
import type { SessionFrame } from './frames.js'
import { DEFAULT_SESSION_LIMITS, maxPayloadBytes, type SessionLimits } from './limits.js'
import { LoopMeter } from './loop-meter.js'
import { PathMeter } from './path-meter.js'
import type { ResumeStore } from './resume-store.js'
import type { StreamProvider } from './stream-provider.js'
import { TokenBucket } from './token-bucket.js'
import { type ReceiverContext, TransferReceiver } from './transfer-receiver.js'
import { TransferSender } from './transfer-sender.js'

/** A congestion control name as Linux takes it (`TCP_CONGESTION`): 1 to 15 printable ASCII characters. */
const CONGESTION_NAME = /^[\x21-\x7e]{1,15}$/

/** What a {@link MultiStreamSession} is built from. */
export interface MultiStreamSessionInit {
  /** Session id (the same on both ends). */
  id: string
  /** The peer, as learned in the handshake. */
  remote: PeerInfo
  /** The streams underneath. */
  provider: StreamProvider
  /** Transport name, for metric labels. */
  transport: string
  /** Whether the path is RDMA. */
  rdma: boolean
  clock: Clock
  logger: Logger
  metrics?: Metrics
  /** Bounds; missing ones take {@link DEFAULT_SESSION_LIMITS}. */
  limits?: Partial<SessionLimits>
  /** Where incoming transfers wait for their sender to reconnect when this session dies (per transport). */
  resumeStore?: ResumeStore
  /** Decodes encoded chunks of incoming transfers; without it they fail with `DWCP_ERR_COMPONENT_ABSENT`. */
  chunkDecoder?: Codec
  /** The local node's mode, the default context of encoding and decoding chunks. @default 'hybrid' */
  localMode?: () => Mode
}

/**
 * A session over any {@link StreamProvider}: ordered messages and control on stream 0, bulk transfers striped
 * over every stream, pings for RTT. Transports differ only in how they make streams.
 */
export class MultiStreamSession extends Emitter<SessionEvents> implements Session {
  readonly id: string
  readonly remote: PeerInfo
  readonly #provider: StreamProvider
  readonly #limits: SessionLimits
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #metrics: Metrics | undefined
  readonly #labels: { transport: string }
  readonly #rdma: boolean
  readonly #senders = new Map<string, TransferSender>()
  readonly #receivers = new Map<string, TransferReceiver>()
  readonly #meter: PathMeter
  /** Measures how responsive the event loop is while transfers send, for their stall detectors. */
  readonly #loop: LoopMeter
  readonly #resumeStore: ResumeStore | undefined
  readonly #pacer: TokenBucket
  readonly #chunkDecoder: Codec | undefined
  readonly #localMode: () => Mode
  #pingTimer: TimerHandle | undefined
  #ackCursor = 0
  #closed = false

  constructor(init: MultiStreamSessionInit) {
    super()
    this.id = init.id
    this.remote = init.remote
    this.#provider = init.provider
    this.#limits = { ...DEFAULT_SESSION_LIMITS, ...init.limits }
    this.#clock = init.clock
    this.#logger = init.logger.child({ session: init.id, peer: init.remote.nodeId })
    this.#metrics = init.metrics
    this.#labels = { transport: init.transport }
    this.#rdma = init.rdma
    this.#meter = new PathMeter(this.#clock.now())
    this.#loop = new LoopMeter(this.#clock)
    this.#resumeStore = init.resumeStore
    this.#pacer = new TokenBucket(this.#clock, this.#limits.pacingRateBps, this.#limits.pacingBurstBytes)
    this.#chunkDecoder = init.chunkDecoder
    this.#localMode = init.localMode ?? (() => 'hybrid')
    this.#provider.onFrame((frame) => this.#onFrame(frame))
    this.#provider.onLost((error) => this.#shutdown(error, true))
    this.#provider.onStreamLost?.((stream) => {
      this.#logger.debug(
        { streams: this.#provider.streams.length },
        'a stream died; resending what it carried',
      )
      for (const sender of this.#senders.values()) sender.streamLost(stream)
    })
    this.#metrics?.gauge(METRIC_NAMES.amstActiveStreams).inc(this.#labels, this.#provider.streams.length)
    this.#ping()
  }

  get closed(): boolean {
    return this.#closed
  }

  get streams(): number {
    return this.#provider.streams.length
  }

  set streams(count: number) {
    if (!Number.isInteger(count) || count < 1)
      throw new InvalidArgumentError('streams', 'must be an integer ≥ 1')
    if (this.#closed) throw new SessionClosedError('streams cannot change on a closed session')
    const before = this.#provider.streams.length
    const after = this.#provider.setStreamCount(Math.min(count, this.remote.capabilities.maxStreams))
    this.#metrics?.gauge(METRIC_NAMES.amstActiveStreams).inc(this.#labels, after - before)
  }

  async send(channel: string, bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal)
    if (typeof channel !== 'string' || channel.length === 0 || channel.length > this.#limits.maxChannelLength)
      throw new InvalidArgumentError('channel', `must be 1..${this.#limits.maxChannelLength} characters`)
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', 'must be a Uint8Array')
    if (bytes.byteLength > this.#limits.maxMessageBytes)
      throw new InvalidArgumentError(
        'bytes',
        `message of ${bytes.byteLength} bytes exceeds ${this.#limits.maxMessageBytes}`,
      )
    const startedMs = this.#clock.now()
    await raceAbort(this.#control({ type: 'message', channel, bytes }), options.signal)
    this.#metrics?.counter(METRIC_NAMES.amstBytesSent).inc(this.#labels, bytes.byteLength)
    this.#metrics
      ?.histogram(METRIC_NAMES.amstSendLatency)
      .observe((this.#clock.now() - startedMs) / 1000, this.#labels)
  }

  async transfer(source: TransferSource, options: TransferOptions = {}): Promise<TransferResult> {
    if (this.#closed) throw new SessionClosedError('transfer on a closed session')
    const id = options.id ?? randomUUID()
    if (this.#senders.has(id)) throw new InvalidArgumentError('id', `transfer ${id} is already running`)
    const chunkBytes = options.chunkBytes ?? this.#limits.chunkBytes
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > this.#limits.maxChunkBytes)
      throw new InvalidArgumentError('chunkBytes', `must be 1..${this.#limits.maxChunkBytes}`)
    if (!Number.isSafeInteger(source.sizeBytes) || source.sizeBytes < 0)
      throw new InvalidArgumentError('source.sizeBytes', 'must be a non-negative integer')
    if (JSON.stringify(options.metadata ?? {}).length > this.#limits.maxMetadataChars)
      throw new InvalidArgumentError('metadata', `larger than ${this.#limits.maxMetadataChars} characters`)
    if (options.codec !== undefined && typeof options.codec?.encode !== 'function')
      throw new InvalidArgumentError('codec', 'must be a Codec')
    if (options.codecContext !== undefined && typeof options.codecContext !== 'function')
      throw new InvalidArgumentError('codecContext', 'must be a function returning a CodecContext')
    const sender = new TransferSender(
      id,
      source,
      options,
      {
        chunkBytes,
        maxInFlightBytes: this.#limits.maxInFlightBytes,
        maxInFlightBytesPerStream: this.#limits.maxInFlightBytesPerStream,
        maxEncodedBytes: maxPayloadBytes(this.#limits),
      },
      {
        clock: this.#clock,
        streams: () => this.#provider.streams,
        control: (frame) => this.#control(frame),
        onBytesSent: (n) => this.#metrics?.counter(METRIC_NAMES.amstBytesSent).inc(this.#labels, n),
        pace: (n) => this.#pacer.take(n),
        rttMs: () => this.#meter.srttMs,
        loop: this.#loop,
        codecContext: () => this.#codecContext(),
        delivery: this.#meter.delivery,
        onAppLimited: () => this.#onAppLimited(),
      },
    )
    this.#senders.set(id, sender)
    try {
      return await sender.run()
    } finally {
      this.#senders.delete(id)
    }
  }

  /** The pacing rate of bulk chunks, bits per second (0: paced by TCP alone). */
  get pacingRateBps(): number {
    return this.#pacer.rateBps
  }

  /** Sets the pacing rate (from config, or from the predictor's forecast); 0 turns pacing off. */
  setPacingRate(rateBps: number): void {
    if (!(rateBps >= 0) || !Number.isFinite(rateBps))
      throw new InvalidArgumentError('rateBps', 'must be a finite number ≥ 0')
    this.#pacer.setRate(rateBps)
  }

  /**
   * Puts the session's streams on the congestion control `algorithm` (`cubic` on a datacenter path, `bbr` on an
   * internet one), including streams opened later. On TCP each socket takes it through the native addon; without
   * the addon, or on a transport whose streams have no congestion control to choose (in-memory, UCX), it is a
   * logged no-op.
   *
   * @param algorithm - a kernel algorithm name: 1 to 15 printable ASCII characters
   * @throws InvalidArgumentError for anything else
   * @throws SessionClosedError on a closed session
   */
  setCongestion(algorithm: string): void {
    if (typeof algorithm !== 'string' || !CONGESTION_NAME.test(algorithm))
      throw new InvalidArgumentError('algorithm', 'must be 1 to 15 printable ASCII characters')
    if (this.#closed) throw new SessionClosedError('congestion control cannot change on a closed session')
    if (this.#provider.setCongestion) this.#provider.setCongestion(algorithm)
    else this.#logger.debug({ algorithm }, 'these streams have no congestion control to choose')
  }

  sample(): PathSample {
    return this.#meter.sample(this.#clock.now(), this.#provider.stats(), this.#rdma)
  }

  async close(options: { reason?: string } = {}): Promise<void> {
    if (this.#closed) return
    const reason = options.reason ?? 'closed locally'
    // Tell the peer first, then tear down: the close frame is the last thing stream 0 carries. It waits behind
    // what stream 0 has queued, so the wait is bounded: the peer then sees the streams end instead.
    let timer: TimerHandle | undefined
    const grace = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, this.#limits.closeGraceMs)
    })
    await Promise.race([this.#control({ type: 'close', reason }).catch(() => {}), grace])
    if (timer !== undefined) this.#clock.clearTimeout(timer)
    this.#shutdown()
  }

  #control(frame: SessionFrame): Promise<void> {
    if (this.#closed) return Promise.reject(new SessionClosedError('session is closed'))
    const streams = this.#provider.streams
    // Acknowledgements are cumulative or per chunk, so any stream may carry them: spreading them keeps one lost
    // packet on stream 0 from holding back every ack behind it (and with them the sender's window).
    const spread = (frame.type === 'ack' || frame.type === 'chunk-ack') && streams.length > 1
    const stream = spread ? streams[this.#ackCursor++ % streams.length] : streams[0]
    if (!stream) return Promise.reject(new SessionClosedError('no control stream'))
    return stream.write(frame)
  }

  #ping(): void {
    if (this.#closed) return
    this.#meter.tick(this.#clock.now())
    this.#control({ type: 'ping', sentAtMs: this.#clock.now() }).catch(() => {})
    this.#pingTimer = this.#clock.setTimeout(() => this.#ping(), this.#limits.pingIntervalMs)
  }

  #onFrame(frame: SessionFrame): void {
    if (this.#closed) return
    switch (frame.type) {
      case 'message':
        this.#metrics?.counter(METRIC_NAMES.amstBytesReceived).inc(this.#labels, frame.bytes.byteLength)
        this.emit('message', frame.channel, frame.bytes)
        return
      case 'ping':
        this.#control({ type: 'pong', sentAtMs: frame.sentAtMs }).catch(() => {})
        return
      case 'pong':
        this.#meter.onRtt(Math.max(0, this.#clock.now() - frame.sentAtMs))
        return
      case 'close':
        this.#shutdown(new SessionClosedError(`peer closed: ${frame.reason}`))
        return
      case 'transfer-offer':
        this.#onOffer(frame)
        return
      case 'chunk':
        this.#metrics?.counter(METRIC_NAMES.amstBytesReceived).inc(this.#labels, frame.bytes.byteLength)
        this.#meter.onDelivered(frame.bytes.byteLength)
        this.#receivers.get(frame.id)?.handle(frame)
        return
      case 'transfer-end':
        this.#receivers.get(frame.id)?.handle(frame)
        return
      case 'ack':
      case 'chunk-ack':
        this.#senders.get(frame.id)?.handle(frame)
        return
      case 'transfer-accept':
      case 'transfer-reject':
      case 'transfer-done':
        this.#senders.get(frame.id)?.handle(frame)
        return
      case 'transfer-abort':
        this.#senders.get(frame.id)?.handle(frame)
        this.#receivers.get(frame.id)?.handle(frame)
        return
    }
  }

  /**
   * A transfer ran out of chunks ready to send. The session's sending side is application-limited only when no
   * other transfer is held back by the network either: chunks sent from now on, until what is in flight is
   * delivered, measure the application's pace rather than the path's.
   */
  #onAppLimited(): void {
    for (const sender of this.#senders.values()) if (sender.networkLimited) return
    this.#meter.delivery.markAppLimited()
  }

  /** The context chunks are encoded and decoded in when the caller gives none: the local node's mode. */
  #codecContext(): CodecContext {
    return { mode: this.#localMode() }
  }

  #onOffer(offer: Extract<SessionFrame, { type: 'transfer-offer' }>): void {
    const decoder = this.#chunkDecoder
    const context: ReceiverContext = {
      clock: this.#clock,
      control: (frame: SessionFrame) => this.#control(frame),
      onSettled: () => this.#receivers.delete(offer.id),
      maxBufferedBytes: this.#limits.maxInFlightBytes,
      ...(decoder ? { decodeChunk: (frame: Uint8Array) => decoder.decode(frame, this.#codecContext()) } : {}),
    }
    // The same transfer from the same peer after a reconnect continues where the lost session stopped, even
    // before the application has subscribed to this new session.
    const parked = this.#receivers.has(offer.id)
      ? undefined
      : this.#resumeStore?.take(this.remote.nodeId, offer.id, offer.sizeBytes)
    if (parked) {
      this.#receivers.set(offer.id, parked)
      parked.resume(context, offer)
      return
    }
    const refusal = this.#refusal(offer)
    if (refusal) {
      this.#control({ type: 'transfer-reject', id: offer.id, reason: refusal }).catch(() => {})
      return
    }
    const receiver = new TransferReceiver(offer, context)
    this.#receivers.set(offer.id, receiver)
    this.emit('transfer', receiver)
    if (!receiver.answered) receiver.reject('the receiver neither accepted nor rejected the transfer')
  }

  /** Why an offer must be refused, or undefined when it may be offered to the application. */
  #refusal(offer: Extract<SessionFrame, { type: 'transfer-offer' }>): string | undefined {
    if (this.#receivers.has(offer.id)) return 'a transfer with this id is running'
    if (this.#receivers.size >= this.#limits.maxIncomingTransfers) return 'too many concurrent transfers'
    if (!Number.isSafeInteger(offer.sizeBytes) || offer.sizeBytes < 0) return 'bad size'
    if (
      !Number.isInteger(offer.chunkBytes) ||
      offer.chunkBytes < 1 ||
      offer.chunkBytes > this.#limits.maxChunkBytes
    )
      return `chunk size must be 1..${this.#limits.maxChunkBytes}`
    if (this.listenerCount('transfer') === 0) return 'no receiver for transfers'
    return undefined
  }

  #shutdown(error?: Error, lost = false): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#pingTimer) this.#clock.clearTimeout(this.#pingTimer)
    const failure = error ?? new SessionClosedError('closed locally')
    for (const sender of this.#senders.values()) sender.fail(new SessionClosedError(failure.message))
    for (const receiver of [...this.#receivers.values()]) {
      // A session lost (not closed on purpose) parks its incoming transfers so that they can resume.
      if (lost && this.#resumeStore && receiver.detach()) this.#resumeStore.park(this.remote.nodeId, receiver)
      else receiver.fail(new TransferFailedError(receiver.id, `session closed: ${failure.message}`))
    }
    this.#receivers.clear()
    this.#metrics?.gauge(METRIC_NAMES.amstActiveStreams).dec(this.#labels, this.#provider.streams.length)
    this.#provider.close()
    if (error) this.#logger.debug({ reason: error.message }, 'session closed')
    this.emit('close', error)
    this.removeAllListeners()
  }
}
