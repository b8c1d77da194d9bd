/**
 * `TCP_INFO` of a live TCP socket, and its translation into core's `PathSample`, so that a TCP transport can
 * report what the kernel measured (smoothed RTT, delivery rate, retransmissions) instead of estimating it.
 */
import type { Socket } from 'node:net'
import { InvalidArgumentError, type PathSample, SocketOptionError } from '@dwcp/core'
import { callNative, socketsBinding, tcpSocketFd } from './socket-fd.js'
import { REQUIRED_TCP_INFO_FIELDS, type TcpInfo } from './tcp-info-types.js'

/**
 * Reads `TCP_INFO` of a live TCP socket: state, RTT, congestion window, pacing and delivery rates, byte and
 * segment counters (see {@link TcpInfo} for every field and its unit). One synchronous `getsockopt`; cheap enough
 * to poll every second per stream.
 *
 * @throws SocketOptionError (`DWCP_ERR_SOCKET_OPTION`, option `TCP_INFO`) with the `errno` (`EBADF` for a
 *   socket without a file descriptor, `EOPNOTSUPP` for one that is not TCP), or with errno 0 when the kernel
 *   filled fewer fields than Linux 4.18 does
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function tcpInfo(socket: Socket): TcpInfo {
  const fd = tcpSocketFd(socket, 'TCP_INFO')
  const info = callNative('TCP_INFO', () => socketsBinding().tcpInfo(fd))
  const missing = REQUIRED_TCP_INFO_FIELDS.filter((field) => info[field] === undefined)
  if (missing.length > 0) {
    throw new SocketOptionError(
      'TCP_INFO',
      0,
      `the kernel filled ${info.infoBytes} bytes of struct tcp_info, without ${missing.join(', ')}`,
    )
  }
  return info as TcpInfo
}

/**
 * Turns a `TCP_INFO` reading into core's `PathSample`:
 *
 * - `rttMs` from the smoothed RTT (`rttUs / 1000`; 0 before the first RTT sample),
 * - `jitterMs` from the RTT variation (`rttvarUs / 1000`),
 * - `bandwidthBps` from the latest delivery rate sample, in bits per second (`deliveryRateBytesPerSecond × 8`;
 *   an application-limited sample understates what the path can carry),
 * - `lossRate` as retransmitted over sent segments (`totalRetrans / segsOut`, at most 1; 0 before any segment),
 * - `rdma: false` (a TCP socket).
 *
 * The counters are cumulative over the connection's life; for the loss of one interval, difference two readings.
 *
 * @param info - a reading from {@link tcpInfo}
 * @param nowMs - when the reading was taken, in milliseconds on the node's Clock (becomes `at`)
 * @throws InvalidArgumentError when `nowMs` is not a finite number
 */
export function pathSampleFromTcpInfo(info: TcpInfo, nowMs: number): PathSample {
  if (!Number.isFinite(nowMs)) throw new InvalidArgumentError('nowMs', `${nowMs} is not a finite number`)
  return {
    at: nowMs,
    rttMs: info.rttUs / 1000,
    jitterMs: info.rttvarUs / 1000,
    bandwidthBps: Number.isFinite(info.deliveryRateBytesPerSecond) ? info.deliveryRateBytesPerSecond * 8 : 0,
    lossRate: info.segsOut > 0 ? Math.min(1, info.totalRetrans / info.segsOut) : 0,
    rdma: false,
  }
}
