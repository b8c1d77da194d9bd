/**
 * Socket options Node does not expose, on a live TCP `net.Socket` (or `tls.TLSSocket`): per-socket congestion
 * control, send and receive buffer sizes, `TCP_NOTSENT_LOWAT`, and whether the socket is MPTCP. Each call is one
 * synchronous `setsockopt`/`getsockopt` through the native addon, which is loaded on first use.
 */
import type { Socket } from 'node:net'
import { constants } from 'node:os'
import { InvalidArgumentError } from '@dwcp/core'
import { callNative, socketsBinding, tcpSocketFd } from './socket-fd.js'
import { allowedCongestionAlgorithms, availableCongestionAlgorithms } from './system-support.js'

const { ENOENT, EINVAL, EPERM } = constants.errno
/** Largest value the `int`-typed buffer options take. */
const MAX_INT_OPTION = 2 ** 31 - 1
/** A congestion control name as Linux takes it: 1 to 15 printable ASCII characters without spaces. */
const CONGESTION_NAME = /^[\x21-\x7e]{1,15}$/

/**
 * Selects the congestion control algorithm of this socket only (`TCP_CONGESTION`), e.g. `bbr` for internet
 * paths and `cubic` for datacenter paths.
 *
 * An algorithm not loaded in the kernel fails with `ENOENT`; one outside
 * `net.ipv4.tcp_allowed_congestion_control` fails with `EPERM` unless the process has `CAP_NET_ADMIN`.
 *
 * @param socket - a connected (or connecting) TCP socket
 * @param name - the algorithm, as listed in `/proc/sys/net/ipv4/tcp_available_congestion_control`
 * @throws InvalidArgumentError when `name` is not 1–15 printable ASCII characters
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `TCP_CONGESTION`) with the `errno`: `ENOENT` for
 *   an unknown algorithm, `EPERM` for one not allowed, `EBADF` for a socket without a file descriptor,
 *   `EOPNOTSUPP` for a socket that is not TCP
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function setCongestionControl(socket: Socket, name: string): void {
  if (typeof name !== 'string' || !CONGESTION_NAME.test(name)) {
    throw new InvalidArgumentError(
      'name',
      `${JSON.stringify(name)} is not 1 to 15 printable ASCII characters`,
    )
  }
  const fd = tcpSocketFd(socket, 'TCP_CONGESTION')
  callNative(
    'TCP_CONGESTION',
    () => socketsBinding().setCongestion(fd, name),
    (errno) => congestionHint(name, errno),
  )
}

/**
 * The congestion control algorithm of this socket (`TCP_CONGESTION`), e.g. `cubic`.
 *
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `TCP_CONGESTION`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function congestionControl(socket: Socket): string {
  const fd = tcpSocketFd(socket, 'TCP_CONGESTION')
  return callNative('TCP_CONGESTION', () => socketsBinding().getCongestion(fd))
}

/**
 * Requests a send buffer of `bytes` (`SO_SNDBUF`). Linux caps the request at `net.core.wmem_max`, then doubles
 * it (room for its bookkeeping), and turns off send-buffer auto-tuning for this socket.
 *
 * @param bytes - an integer in [0, 2^31 − 1]
 * @throws InvalidArgumentError when `bytes` is out of range
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `SO_SNDBUF`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function setSendBufferBytes(socket: Socket, bytes: number): void {
  checkBytes(bytes)
  const fd = tcpSocketFd(socket, 'SO_SNDBUF')
  callNative('SO_SNDBUF', () => socketsBinding().setSendBufferBytes(fd, bytes))
}

/**
 * The send buffer size as the kernel reports it (`SO_SNDBUF`). On Linux this is twice what was requested (after
 * the `net.core.wmem_max` cap), not the requested value.
 *
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `SO_SNDBUF`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function sendBufferBytes(socket: Socket): number {
  const fd = tcpSocketFd(socket, 'SO_SNDBUF')
  return callNative('SO_SNDBUF', () => socketsBinding().getSendBufferBytes(fd))
}

/**
 * Requests a receive buffer of `bytes` (`SO_RCVBUF`). Linux caps the request at `net.core.rmem_max`, then
 * doubles it, and turns off receive-buffer auto-tuning for this socket. Set it before connecting for it to
 * shape the window scale the connection negotiates.
 *
 * @param bytes - an integer in [0, 2^31 − 1]
 * @throws InvalidArgumentError when `bytes` is out of range
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `SO_RCVBUF`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function setReceiveBufferBytes(socket: Socket, bytes: number): void {
  checkBytes(bytes)
  const fd = tcpSocketFd(socket, 'SO_RCVBUF')
  callNative('SO_RCVBUF', () => socketsBinding().setReceiveBufferBytes(fd, bytes))
}

/**
 * The receive buffer size as the kernel reports it (`SO_RCVBUF`); on Linux twice what was requested.
 *
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `SO_RCVBUF`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function receiveBufferBytes(socket: Socket): number {
  const fd = tcpSocketFd(socket, 'SO_RCVBUF')
  return callNative('SO_RCVBUF', () => socketsBinding().getReceiveBufferBytes(fd))
}

/**
 * Limits the bytes written but not yet sent (`TCP_NOTSENT_LOWAT`): the socket reports itself writable only while
 * fewer than `bytes` are unsent, which keeps the send queue (and the latency of what is queued behind it) short.
 *
 * @param bytes - an integer in [0, 2^31 − 1]; 0 makes the socket fall back to `net.ipv4.tcp_notsent_lowat`
 * @throws InvalidArgumentError when `bytes` is out of range
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `TCP_NOTSENT_LOWAT`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function setNotSentLowatBytes(socket: Socket, bytes: number): void {
  checkBytes(bytes)
  const fd = tcpSocketFd(socket, 'TCP_NOTSENT_LOWAT')
  callNative('TCP_NOTSENT_LOWAT', () => socketsBinding().setNotSentLowatBytes(fd, bytes))
}

/**
 * The socket's own `TCP_NOTSENT_LOWAT`, in bytes: exactly what was set, or 0 when none was (then
 * `net.ipv4.tcp_notsent_lowat` applies).
 *
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `TCP_NOTSENT_LOWAT`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function notSentLowatBytes(socket: Socket): number {
  const fd = tcpSocketFd(socket, 'TCP_NOTSENT_LOWAT')
  return callNative('TCP_NOTSENT_LOWAT', () => socketsBinding().getNotSentLowatBytes(fd))
}

/**
 * Whether the socket speaks Multipath TCP (`SO_PROTOCOL` is `IPPROTO_MPTCP`). Sockets Node creates are plain TCP,
 * so this is `false` for them; see `mptcpStatus` for whether the host supports MPTCP.
 *
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `SO_PROTOCOL`) with the `errno`
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function isMptcp(socket: Socket): boolean {
  const fd = tcpSocketFd(socket, 'SO_PROTOCOL')
  return callNative('SO_PROTOCOL', () => socketsBinding().isMptcp(fd))
}

function checkBytes(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_INT_OPTION) {
    throw new InvalidArgumentError('bytes', `${bytes} is not an integer in [0, ${MAX_INT_OPTION}]`)
  }
}

function congestionHint(name: string, errno: number): string | undefined {
  if (errno === ENOENT || errno === EINVAL) {
    const available = availableCongestionAlgorithms()
    return `"${name}" is not an available congestion control algorithm${
      available.length > 0 ? ` (available: ${available.join(', ')})` : ''
    }`
  }
  if (errno === EPERM) {
    const allowed = allowedCongestionAlgorithms()
    return `"${name}" is not in net.ipv4.tcp_allowed_congestion_control${
      allowed.length > 0 ? ` (${allowed.join(', ')})` : ''
    } and the process lacks CAP_NET_ADMIN`
  }
  return undefined
}
