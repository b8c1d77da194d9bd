/** The UCX part of the native addon's surface, typed by hand (see native/ucx-worker.h). */

/** Options of the native worker. */
export interface NativeUcxWorkerOptions {
  /** Called for worker events: `accept` (a peer connected), `error` (an endpoint failed), `accept-error`. */
  onEvent: (kind: string, endpointId: number, statusName: string, detail: string) => void
  /** UCX transport list, as `UCX_TLS` (e.g. `tcp`, `rc,ud,sm`). */
  transports?: string
  /** Network devices, as `UCX_NET_DEVICES` (e.g. `mlx5_0:1`, `lo`). */
  netDevices?: string
  /** Progress on every loop turn while operations are in flight instead of waiting on the wakeup fd. */
  busyPoll?: boolean
}

/** What the native endpoint report holds. */
export interface NativeUcxEndpointInfo {
  id: number
  remoteId: number
  peerAddress: string
  failed: boolean
  status: string
  /** UCX's own description of the endpoint's lanes (`ucp_ep_print_info`). */
  report?: string
}

/** Counters of the native worker. */
export interface NativeUcxWorkerStats {
  progressCalls: number
  wakeups: number
  outstanding: number
  endpoints: number
  busyPoll: boolean
}

/** The native `UcxWorker` object. */
export interface NativeUcxWorker {
  /** Listens on `host:port` (port 0 picks one); returns the bound `address:port`. */
  listen(host: string, port: number): string
  /** Connects; resolves with the endpoint id once the peer answered. */
  connect(host: string, port: number): Promise<number>
  /** Sends `bytes` with a 32-bit tag; resolves when the buffer may be reused. */
  send(endpointId: number, bytes: Uint8Array, tag: number): Promise<void>
  /** Receives the next message matching `tag`/`tagMask` into `into`. */
  recv(
    endpointId: number,
    into: Uint8Array,
    tag: number,
    tagMask: number,
  ): Promise<{ length: number; tag: number }>
  /** Resolves once every send on the endpoint completed remotely. */
  flush(endpointId: number): Promise<void>
  /** Closes an endpoint (flushing unless `force`). */
  closeEndpoint(endpointId: number, force: boolean): Promise<void>
  /** Describes an endpoint. */
  endpointInfo(endpointId: number): NativeUcxEndpointInfo
  /** Progresses the worker now; returns the number of progress calls that did work. */
  progress(): number
  /** Closes every endpoint and the worker; outstanding operations reject. */
  close(): void
  /** Counters. */
  stats(): NativeUcxWorkerStats
}

/** The UCX exports of the addon. */
export interface UcxBinding {
  /** Constructor of the native worker. */
  UcxWorker: new (
    options: NativeUcxWorkerOptions,
  ) => NativeUcxWorker
}

/** Names of the UCX exports the addon must have. */
export const UCX_EXPORTS: ReadonlyArray<keyof UcxBinding> = ['UcxWorker']
