/**
 * The sockets part of the native addon's surface, typed by hand (native/sockets.cc). Every function takes the
 * file descriptor of a live socket; a failed system call throws an `Error` shaped as {@link NativeSocketError}.
 * Use the wrappers in `socket-options.ts` and `tcp-info.ts`, which take a `net.Socket` and throw
 * `SocketOptionError`.
 */
import type { NativeTcpInfo } from './tcp-info-types.js'

/** What the native functions throw when a system call fails (a plain `Error` with these properties). */
export interface NativeSocketError extends Error {
  /** The `errno` value, e.g. 2 (`ENOENT`) for an unknown congestion control algorithm. */
  errno: number
  /** The failed call: `setsockopt` or `getsockopt`. */
  syscall: string
  /** The option, e.g. `TCP_CONGESTION`, `SO_SNDBUF`, `TCP_INFO`. */
  option: string
  /** The file descriptor. */
  fd: number
}

/** A socket's domain, type and protocol (`SO_DOMAIN`, `SO_TYPE`, `SO_PROTOCOL`), as Linux numbers them. */
export interface NativeSocketProtocol {
  /** Address family: 2 (`AF_INET`), 10 (`AF_INET6`), 1 (`AF_UNIX`)… */
  domain: number
  /** Socket type: 1 (`SOCK_STREAM`), 2 (`SOCK_DGRAM`)… */
  type: number
  /** Protocol: 6 (`IPPROTO_TCP`), 262 (`IPPROTO_MPTCP`), 0 for Unix sockets… */
  protocol: number
}

/** Outcome of trying `socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)` (the socket is closed at once). */
export type NativeMptcpProbe = { ok: true } | { ok: false; errno: number; message: string }

/** The native socket functions. Integer arguments are checked natively (a `TypeError` when out of range). */
export interface SocketsBinding {
  /** `setsockopt(TCP_CONGESTION)`: selects the congestion control algorithm (1–15 bytes, e.g. `bbr`). */
  setCongestion(fd: number, name: string): void
  /** `getsockopt(TCP_CONGESTION)`: the socket's congestion control algorithm. */
  getCongestion(fd: number): string
  /** `setsockopt(SO_SNDBUF)`, bytes in [0, 2^31 − 1]; Linux clamps to `net.core.wmem_max` and doubles it. */
  setSendBufferBytes(fd: number, bytes: number): void
  /** `getsockopt(SO_SNDBUF)`: what the kernel reports (twice the requested size on Linux). */
  getSendBufferBytes(fd: number): number
  /** `setsockopt(SO_RCVBUF)`, bytes in [0, 2^31 − 1]; Linux clamps to `net.core.rmem_max` and doubles it. */
  setReceiveBufferBytes(fd: number, bytes: number): void
  /** `getsockopt(SO_RCVBUF)`: what the kernel reports (twice the requested size on Linux). */
  getReceiveBufferBytes(fd: number): number
  /** `setsockopt(TCP_NOTSENT_LOWAT)`, bytes in [0, 2^31 − 1]. */
  setNotSentLowatBytes(fd: number, bytes: number): void
  /** `getsockopt(TCP_NOTSENT_LOWAT)`; 0 when the socket has none of its own (the sysctl applies). */
  getNotSentLowatBytes(fd: number): number
  /** `getsockopt(TCP_INFO)`: the fields this build knows and the running kernel filled. */
  tcpInfo(fd: number): NativeTcpInfo
  /** The socket's domain, type and protocol. */
  socketProtocol(fd: number): NativeSocketProtocol
  /** Whether the socket's protocol (`SO_PROTOCOL`) is `IPPROTO_MPTCP` (262). */
  isMptcp(fd: number): boolean
  /** Tries to create (and closes) an MPTCP socket; never throws. */
  probeMptcpSocket(): NativeMptcpProbe
}

/** Names of the sockets functions the addon must export. */
export const SOCKETS_EXPORTS: ReadonlyArray<keyof SocketsBinding> = [
  'setCongestion',
  'getCongestion',
  'setSendBufferBytes',
  'getSendBufferBytes',
  'setReceiveBufferBytes',
  'getReceiveBufferBytes',
  'setNotSentLowatBytes',
  'getNotSentLowatBytes',
  'tcpInfo',
  'socketProtocol',
  'isMptcp',
  'probeMptcpSocket',
]
