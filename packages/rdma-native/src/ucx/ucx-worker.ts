import { Emitter, InvalidArgumentError, raceAbort, throwIfAborted, UcxError } from '@dwcp/core'
import { type LoadNativeOptions, loadNative } from '../loader.js'
import type { NativeUcxWorker } from './binding.js'
import { toUcxError } from './errors.js'
import { lanesUseRdma, parseUcxLanes, type UcxLane } from './lanes.js'

/** Options of {@link UcxWorker.create}. */
export interface UcxWorkerOptions extends LoadNativeOptions {
  /** UCX transports to use, as `UCX_TLS`. @default UCX's own choice (every transport it finds) */
  transports?: string
  /** Devices to use, as `UCX_NET_DEVICES` (the config's `transport.rdma_device`). @default every device */
  netDevices?: string
  /**
   * Progress on every event-loop turn while operations are in flight (lowest latency, one core busy while
   * transferring) instead of sleeping on UCX's wakeup fd. @default false
   */
  busyPoll?: boolean
}

/** Events of a {@link UcxWorker}. */
export interface UcxWorkerEvents {
  /** A peer connected to the listener. */
  connection: [endpoint: UcxEndpoint]
}

/** Events of a {@link UcxEndpoint}. */
export interface UcxEndpointEvents {
  /** The endpoint failed (peer gone, path down); pending operations reject with the same error. */
  error: [error: UcxError]
}

/** A received message. */
export interface UcxReceived {
  /** Bytes written into the caller's buffer. */
  lengthBytes: number
  /** The message's 32-bit tag. */
  tag: number
}

const TAG_MAX = 0xffffffff

function checkTag(name: string, tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > TAG_MAX)
    throw new InvalidArgumentError(name, 'must be a 32-bit unsigned integer')
}

/**
 * A UCP worker on the Node event loop. Its wakeup fd is polled by libuv, so an idle worker costs nothing;
 * `busyPoll` trades a core for latency while transfers run. On RDMA hardware UCX carries data over verbs; on
 * other hosts over tcp/shm/cma — the same code path.
 */
export class UcxWorker extends Emitter<UcxWorkerEvents> {
  readonly #native: NativeUcxWorker
  readonly #endpoints = new Map<number, UcxEndpoint>()
  #closed = false

  private constructor(options: UcxWorkerOptions) {
    super()
    const binding = loadNative(options)
    try {
      this.#native = new binding.UcxWorker({
        onEvent: (kind, endpointId, statusName, detail) =>
          this.#onEvent(kind, endpointId, statusName, detail),
        ...(options.transports !== undefined ? { transports: options.transports } : {}),
        ...(options.netDevices !== undefined ? { netDevices: options.netDevices } : {}),
        busyPoll: options.busyPoll ?? false,
      })
    } catch (error) {
      throw toUcxError(error, 'create worker')
    }
  }

  /** Creates a worker; throws `DWCP_ERR_NATIVE_UNAVAILABLE` without the addon and `DWCP_ERR_UCX` when UCX fails. */
  static create(options: UcxWorkerOptions = {}): UcxWorker {
    return new UcxWorker(options)
  }

  /** Whether the worker is closed. */
  get closed(): boolean {
    return this.#closed
  }

  /** Listens for peers on `host:port` (port 0 picks one); returns the bound host and port. */
  listen(host: string, port: number): { host: string; port: number } {
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new InvalidArgumentError('port', 'must be 0..65535')
    let bound: string
    try {
      bound = this.#native.listen(host, port)
    } catch (error) {
      throw toUcxError(error, 'listen')
    }
    const separator = bound.lastIndexOf(':')
    return { host, port: Number(bound.slice(separator + 1)) }
  }

  /** Connects to a listening worker. */
  async connect(host: string, port: number, options: { signal?: AbortSignal } = {}): Promise<UcxEndpoint> {
    throwIfAborted(options.signal)
    let pending: Promise<number>
    try {
      pending = this.#native.connect(host, port)
    } catch (error) {
      throw toUcxError(error, 'connect')
    }
    let id: number
    try {
      id = await raceAbort(pending, options.signal)
    } catch (error) {
      throw toUcxError(error, 'connect')
    }
    return this.#adopt(id)
  }

  /** Runs UCX progress now (useful with neither events nor busy polling, e.g. in a benchmark loop). */
  progress(): number {
    return this.#native.progress()
  }

  /** Counters of the native worker. */
  stats(): ReturnType<NativeUcxWorker['stats']> {
    return this.#native.stats()
  }

  /** Closes every endpoint and the worker; outstanding operations reject with `DWCP_ERR_UCX`. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#native.close()
    this.#endpoints.clear()
    this.removeAllListeners()
  }

  /** @internal Forgets a closed endpoint. */
  forget(id: number): void {
    this.#endpoints.delete(id)
  }

  #adopt(id: number): UcxEndpoint {
    const info = this.#native.endpointInfo(id)
    const endpoint = new UcxEndpoint(this.#native, this, id, info.peerAddress)
    this.#endpoints.set(id, endpoint)
    return endpoint
  }

  #onEvent(kind: string, endpointId: number, statusName: string, detail: string): void {
    if (kind === 'accept') {
      this.emit('connection', this.#adopt(endpointId))
    } else if (kind === 'error') {
      this.#endpoints
        .get(endpointId)
        ?.fail(new UcxError('endpoint', -1, statusName, `peer ${detail}: ${statusName}`))
    }
  }
}

/** A connection to one peer: tagged messages of any size into the caller's buffers. */
export class UcxEndpoint extends Emitter<UcxEndpointEvents> {
  /** Worker-local id. */
  readonly id: number
  /** The peer's address as UCX saw it. */
  readonly peerAddress: string
  readonly #native: NativeUcxWorker
  readonly #worker: UcxWorker
  #failure: UcxError | undefined
  #closed = false

  /** @internal Endpoints are made by {@link UcxWorker}. */
  constructor(native: NativeUcxWorker, worker: UcxWorker, id: number, peerAddress: string) {
    super()
    this.#native = native
    this.#worker = worker
    this.id = id
    this.peerAddress = peerAddress
  }

  /** The failure that ended the endpoint, if any. */
  get failure(): UcxError | undefined {
    return this.#failure
  }

  /** Sends `bytes` (any size: UCX picks eager or zero-copy rendezvous); resolves when `bytes` may be reused. */
  async send(bytes: Uint8Array, tag = 0): Promise<void> {
    checkTag('tag', tag)
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', 'must be a Uint8Array')
    this.#usable('send')
    try {
      await this.#native.send(this.id, bytes, tag)
    } catch (error) {
      throw this.#failure ?? toUcxError(error, 'send')
    }
  }

  /** Receives the next message matching `tag` (under `tagMask`) into `into`; a larger message is an error. */
  async recv(into: Uint8Array, tag = 0, tagMask = TAG_MAX): Promise<UcxReceived> {
    checkTag('tag', tag)
    checkTag('tagMask', tagMask)
    if (!(into instanceof Uint8Array)) throw new InvalidArgumentError('into', 'must be a Uint8Array')
    this.#usable('recv')
    try {
      const received = await this.#native.recv(this.id, into, tag, tagMask)
      return { lengthBytes: received.length, tag: received.tag }
    } catch (error) {
      throw this.#failure ?? toUcxError(error, 'recv')
    }
  }

  /** Resolves once every send so far has completed at the peer. */
  async flush(): Promise<void> {
    this.#usable('flush')
    try {
      await this.#native.flush(this.id)
    } catch (error) {
      throw this.#failure ?? toUcxError(error, 'flush')
    }
  }

  /** Which transports and devices carry this endpoint's traffic. */
  lanes(): UcxLane[] {
    this.#usable('lanes')
    return parseUcxLanes(this.#native.endpointInfo(this.id).report ?? '')
  }

  /** Whether the endpoint's data moves over RDMA verbs. */
  usesRdma(): boolean {
    return lanesUseRdma(this.lanes())
  }

  /** Closes the endpoint: flushes first unless `force`. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    if (this.#closed || this.#worker.closed) return
    this.#closed = true
    try {
      await this.#native.closeEndpoint(this.id, options.force ?? this.#failure !== undefined)
    } catch (error) {
      throw toUcxError(error, 'close')
    } finally {
      this.#worker.forget(this.id)
      this.removeAllListeners()
    }
  }

  /** @internal Marks the endpoint failed (from the worker's error event). */
  fail(error: UcxError): void {
    if (this.#failure) return
    this.#failure = error
    this.emit('error', error)
  }

  #usable(operation: string): void {
    if (this.#failure) throw this.#failure
    if (this.#closed || this.#worker.closed)
      throw new UcxError(operation, -1, 'UCS_ERR_NOT_CONNECTED', 'endpoint is closed')
  }
}
