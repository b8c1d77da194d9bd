/**
 * @packageDocumentation
 * The adaptive multi-stream transport (AMST): sessions that carry ordered messages and bulk transfers striped
 * over several streams, acknowledged and digest-checked. Today: the in-memory transport; TCP (+TLS) and UCX
 * share the session engine.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, memoryTransport } from '@dwcp/amst'
 * import { silentLogger, systemClock } from '@dwcp/core'
 *
 * const network = new MemoryNetwork()
 * const identity = { nodeId: 'a', clusterId: 'c', mode: 'datacenter' as const,
 *   capabilities: { codecs: ['none'], maxStreams: 16, rdma: false } }
 * const transport = memoryTransport({ network })({ identity: () => identity, clock: systemClock(), logger: silentLogger() })
 * await transport.start()
 * await transport.listen('memory://a')
 * ```
 */

export { type FallbackTransportInit, fallbackTransport } from './fallback-transport.js'
export { checkPeerIdentity, PROTOCOL_VERSION } from './handshake.js'
export type { LinkConditions } from './memory/link.js'
export { LinkProfile } from './memory/link-profile.js'
export {
  defaultMemoryNetwork,
  MEMORY_SCHEME,
  MemoryNetwork,
  parseMemoryAddress,
} from './memory/memory-network.js'
export { type MemoryTransportInit, memoryTransport } from './memory/memory-transport.js'
export { type SchemeTransportInit, schemeTransport } from './scheme-transport.js'
export type { SessionFrame } from './session/frames.js'
export { DEFAULT_SESSION_LIMITS, type SessionLimits } from './session/limits.js'
export { MultiStreamSession, type MultiStreamSessionInit } from './session/multi-stream-session.js'
export type { FrameStream, StreamProvider, StreamStats } from './session/stream-provider.js'
export { StreamTuner, type StreamTunerOptions, type TuningStep } from './session/stream-tuner.js'
export { TokenBucket } from './session/token-bucket.js'
export { formatTcpAddress, parseTcpAddress, TCP_SCHEME } from './tcp/tcp-address.js'
export { type TcpTransportInit, tcpTransport } from './tcp/tcp-transport.js'
export * from './tls/index.js'
export { formatUcxAddress, parseUcxAddress, UCX_SCHEME } from './ucx/ucx-address.js'
export { ucxNetDevices } from './ucx/ucx-net-devices.js'
export { LANES_MAX as UCX_LANES_MAX } from './ucx/ucx-tags.js'
export { type UcxTransportInit, ucxTransport } from './ucx/ucx-transport.js'
export { decodeFrame, encodeFrame } from './wire/frame-codec.js'
export { FRAME_HEADER_BYTES, FrameType, type RawFrame } from './wire/frame-layout.js'
export { FrameReader } from './wire/frame-reader.js'
export { encodeHandshake, HANDSHAKE_MAGIC, HandshakeKind, HandshakeReader } from './wire/handshake-codec.js'
