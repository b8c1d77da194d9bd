import type { Codec, CodecContext } from './codec.js'
import type { ComponentHealth, Startable } from './lifecycle.js'
import type { Mode, PathSample } from './mode.js'

/** What a node says about itself in the connection handshake. */
export interface Capabilities {
  /** Codec names the node can decode (e.g. `none`, `lz4`, `zstd`). */
  codecs: string[]
  /** Most parallel streams the node accepts in one session. */
  maxStreams: number
  /** Whether the node can use RDMA. */
  rdma: boolean
}

/** A node's identity as exchanged in the handshake. */
export interface NodeIdentity {
  /** Unique id of the node within its cluster. */
  nodeId: string
  /** Id of the cluster; a handshake between different clusters is rejected. */
  clusterId: string
  /** The node's current mode. */
  mode: Mode
  /** What the node can do. */
  capabilities: Capabilities
}

/** The far end of a session, as learned in the handshake. */
export interface PeerInfo extends NodeIdentity {
  /** The address the session was dialled to or accepted from. */
  address: string
}

/** Byte progress of a bulk transfer. */
export interface TransferProgress {
  /** Bytes the receiver has acknowledged. */
  bytesAcked: number
  /** Bytes sent so far (≥ acknowledged). */
  bytesSent: number
  /** Size of the whole object. */
  totalBytes: number
}

/** Random-access bytes to send; random access is what makes transfers resumable and striping possible. */
export interface TransferSource {
  /** Size of the object in bytes. */
  readonly sizeBytes: number
  /**
   * Reads `lengthBytes` bytes at `offsetBytes` (the last read may be shorter only at the end of the object).
   * The bytes returned are the transfer's from then on (a chunk sent again goes as first sent): the source must
   * not change them afterwards; return a copy of memory it keeps writing to.
   */
  read(offsetBytes: number, lengthBytes: number, signal?: AbortSignal): Promise<Uint8Array>
}

/**
 * Where a receiver puts an incoming transfer. Writes arrive in order, without gaps, one at a time, unless the
 * sink says it is {@link TransferSink.positional}.
 */
export interface TransferSink {
  /**
   * True when the sink takes writes at any offset (a file, VM memory, a discarding sink): chunks are then
   * written as they arrive from any stream, still one at a time and never overlapping, so a stalled stream
   * holds back only its own chunks. The transfer's digest is then `sha256-list:` (sha256 over each chunk's
   * sha256, in offset order) instead of `sha256:` over the bytes.
   */
  readonly positional?: boolean
  /** Writes `bytes` at `offsetBytes`; the transfer waits for the promise (backpressure). */
  write(offsetBytes: number, bytes: Uint8Array, signal?: AbortSignal): Promise<void>
  /** Called once every byte is written and the digest matched. */
  close?(): Promise<void>
  /** Called when the transfer fails; the sink should discard what it holds. */
  abort?(reason: Error): Promise<void>
}

/** Options of {@link Session.transfer}. */
export interface TransferOptions {
  /** Stable id of the object; a transfer with the same id after a reconnect resumes. @default a random id */
  id?: string
  /** Chunk size striped over streams. @default 262144 (256 KiB) */
  chunkBytes?: number
  /** Application metadata delivered with the transfer (small; bounded by the transport). */
  metadata?: Record<string, string>
  /** Cancels the transfer; the receiver is told. */
  signal?: AbortSignal
  /** Called as acknowledgements arrive. */
  onProgress?: (progress: TransferProgress) => void
  /**
   * Encodes every chunk before it goes on the wire: the chunk travels as the codec's frame, flagged as encoded,
   * and the receiving session decodes it with its {@link TransportComponents.chunkDecoder}. Acknowledgements,
   * progress, resume offsets and the digest stay in the object's original bytes; pacing and byte counters see
   * the encoded ones. A chunk sent again is read and encoded again. @default no encoding (raw chunks)
   */
  codec?: Codec
  /**
   * The context each chunk is encoded in, read before every chunk so that a changing forecast (the predicted
   * bandwidth) reaches the codec mid-transfer. Only used with {@link TransferOptions.codec}.
   * @default `{ mode }`, the local node's mode
   */
  codecContext?: () => CodecContext
}

/** Outcome of a completed bulk transfer (on both sides). */
export interface TransferResult {
  /** The transfer's id. */
  id: string
  /** Bytes delivered. */
  sizeBytes: number
  /** End-to-end digest of the object (`sha256:` + hex), checked by the receiver. */
  digest: string
  /** Wall time of the transfer in milliseconds. */
  durationMs: number
}

/** A transfer offered by the peer; accept it with a sink or reject it. */
export interface IncomingTransfer {
  /** The transfer's id. */
  readonly id: string
  /** Size of the object in bytes. */
  readonly sizeBytes: number
  /** Metadata the sender attached. */
  readonly metadata: Readonly<Record<string, string>>
  /** Receives the object into `sink`; resolves once the digest matched. */
  accept(sink: TransferSink, options?: { signal?: AbortSignal }): Promise<TransferResult>
  /** Declines the transfer; the sender's `transfer()` rejects with `DWCP_ERR_TRANSFER_REJECTED`. */
  reject(reason: string): void
}

/** Events a {@link Session} emits. */
export interface SessionEvents {
  /** A message arrived on `channel`. */
  message: [channel: string, bytes: Uint8Array]
  /** The peer offers a bulk transfer. A transfer with no listener is rejected. */
  transfer: [incoming: IncomingTransfer]
  /** The session closed; `error` is set when it closed because of a failure. */
  close: [error?: Error]
}

/** Subscription surface shared by event-emitting interfaces. */
export interface Subscribable<E extends { [K in keyof E]: unknown[] }> {
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void
  /** Adds a listener called at most once. */
  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void
  /** Removes a listener. */
  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void
}

/**
 * One peer, many streams (or one UCX endpoint) underneath. Small ordered messages go through `send`; bulk
 * objects through `transfer`, striped over the streams, acknowledged, resumable, digest-checked.
 */
export interface Session extends Subscribable<SessionEvents> {
  /** Unique id of this session (same on both ends). */
  readonly id: string
  /** Who is at the other end. */
  readonly remote: PeerInfo
  /** Whether the session is closed. */
  readonly closed: boolean
  /** Number of parallel streams; setting it grows or shrinks the stream set (bounded by both sides' caps). */
  streams: number
  /** Sends a small message on a named channel; messages on one session arrive in order. */
  send(channel: string, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
  /** Sends a bulk object and resolves once the receiver confirmed the digest. */
  transfer(source: TransferSource, options?: TransferOptions): Promise<TransferResult>
  /** The latest measurement of the path to the peer. */
  sample(): PathSample
  /** Closes every stream; pending operations reject with `DWCP_ERR_SESSION_CLOSED`. */
  close(options?: { reason?: string }): Promise<void>
}

/** Events a {@link Transport} emits. */
export interface TransportEvents {
  /** A peer dialled in and passed the handshake. */
  session: [session: Session]
}

/** Moves bytes between nodes: in-memory, TCP (+TLS) or UCX. */
export interface Transport extends Startable, Subscribable<TransportEvents> {
  /** Implementation name (`memory`, `tcp`, `ucx`). */
  readonly name: string
  /** Starts listening; resolves with the address peers can dial (e.g. with the port chosen). */
  listen(address: string, options?: { signal?: AbortSignal }): Promise<string>
  /** Addresses currently listened on. */
  addresses(): string[]
  /** Connects to a peer and runs the handshake. */
  dial(address: string, options?: { signal?: AbortSignal }): Promise<Session>
  /** Sessions currently open (dialled and accepted). */
  sessions(): Session[]
  /** Health of the transport. */
  health(): ComponentHealth
}

/** Components a transport factory receives from the node. */
export interface TransportComponents {
  /** Who this node is (sent in the handshake). */
  identity: () => NodeIdentity
  clock: import('./clock.js').Clock
  logger: import('./logger.js').Logger
  random?: import('./random.js').Random
  metrics?: import('./metrics.js').Metrics
  /**
   * Decodes the encoded chunks of incoming transfers (those a peer sent with {@link TransferOptions.codec}).
   * Without it, an encoded chunk fails its transfer with `DWCP_ERR_COMPONENT_ABSENT`; the session lives on.
   */
  chunkDecoder?: Codec
}

/** A transport factory in the two-step style: `memoryTransport(init)(components)`. */
export type TransportFactory = (components: TransportComponents) => Transport
