import { isDwcpError, NativeUnavailableError } from '@dwcp/core'

/** A received tagged message, as the addon reports it. */
export interface UcxReceivedMessage {
  /** Bytes written into the receive buffer. */
  lengthBytes: number
  /** The message's 32-bit tag. */
  tag: number
}

/** A UCX lane of an endpoint, as the addon reports it (`tcp` over `lo`, `rc_mlx5` over `mlx5_0:1`…). */
export interface UcxEndpointLane {
  /** UCX transport name; connection-manager lanes are named `cm:…`. */
  transport: string
  /** Device name, empty for connection-manager lanes. */
  device: string
}

/**
 * What the UCX transport uses of an `@dwcp/rdma-native` endpoint. Declared here, structurally, so that
 * `@dwcp/amst` neither needs the optional package to type-check its consumers nor loads it before `start()`.
 */
export interface UcxEndpointHandle {
  /** The peer's `host:port` as UCX saw it. */
  readonly peerAddress: string
  /** Sends `bytes` with a 32-bit tag; resolves once `bytes` may be reused. */
  send(bytes: Uint8Array, tag: number): Promise<void>
  /** Receives the next message matching `tag` under `tagMask` into `into`; a longer message is an error. */
  recv(into: Uint8Array, tag: number, tagMask?: number): Promise<UcxReceivedMessage>
  /** Closes the endpoint, flushing first unless `force`. */
  close(options?: { force?: boolean }): Promise<void>
  /** Transports and devices that carry the endpoint's traffic. */
  lanes(): UcxEndpointLane[]
  /** Whether data moves over RDMA verbs. */
  usesRdma(): boolean
  /** `error`: the endpoint failed (peer gone, path down). */
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** What the UCX transport uses of an `@dwcp/rdma-native` worker. */
export interface UcxWorkerHandle {
  /** Whether the worker is closed. */
  readonly closed: boolean
  /** Listens on `host:port` (port 0 picks one). */
  listen(host: string, port: number): { host: string; port: number }
  /** Connects to a listening worker. */
  connect(host: string, port: number, options?: { signal?: AbortSignal }): Promise<UcxEndpointHandle>
  /** `connection`: a peer connected to the listener. */
  on(event: 'connection', listener: (endpoint: UcxEndpointHandle) => void): unknown
  /** Closes every endpoint and the worker. */
  close(): void
}

/** Options of a UCX worker (`UCX_TLS`, `UCX_NET_DEVICES`, busy polling). */
export interface UcxWorkerSettings {
  /** UCX transports, as `UCX_TLS`. */
  transports?: string
  /** Devices, as `UCX_NET_DEVICES`. */
  netDevices?: string
  /** Progress on every event-loop turn while operations are in flight. */
  busyPoll?: boolean
}

/** The part of the `@dwcp/rdma-native` module the UCX transport needs. */
export interface UcxNativeModule {
  /** The worker class (`UcxWorker.create(options)`). */
  UcxWorker: { create(options: UcxWorkerSettings): UcxWorkerHandle }
}

/**
 * Loads `@dwcp/rdma-native` with a dynamic import, so that `@dwcp/amst` works where the optional package is not
 * installed. Rejects with `DWCP_ERR_NATIVE_UNAVAILABLE` (and the reason) when it cannot be imported.
 */
export async function loadUcxModule(): Promise<UcxNativeModule> {
  try {
    const native: UcxNativeModule = await import('@dwcp/rdma-native')
    return native
  } catch (error) {
    throw new NativeUnavailableError(`@dwcp/rdma-native cannot be imported: ${reasonOf(error)}`, error)
  }
}

/**
 * Creates a worker; every failure (the addon is not built, libucx does not load, UCX finds no usable transport)
 * becomes `DWCP_ERR_NATIVE_UNAVAILABLE` with the reason, which tells the node to fall back to TCP.
 */
export function createUcxWorker(native: UcxNativeModule, settings: UcxWorkerSettings): UcxWorkerHandle {
  try {
    return native.UcxWorker.create(settings)
  } catch (error) {
    if (isDwcpError(error, 'DWCP_ERR_NATIVE_UNAVAILABLE')) throw error
    throw new NativeUnavailableError(`UCX worker could not be created: ${reasonOf(error)}`, error)
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error)
}
