/**
 * `struct tcp_info` (Linux `getsockopt(TCP_INFO)`) as a typed object, names ending in their unit. Counts without
 * a unit are segments (or events). 64-bit kernel counters arrive as JS numbers: exact up to 2^53 (8 PiB of
 * bytes), rounded beyond that.
 */

/** TCP connection states (`tcpi_state`), as Linux numbers them. */
export const TcpState = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
  NEW_SYN_RECV: 12,
} as const

/** Congestion-avoidance states (`tcpi_ca_state`), as Linux numbers them. */
export const TcpCaState = { OPEN: 0, DISORDER: 1, CWR: 2, RECOVERY: 3, LOSS: 4 } as const

/**
 * One reading of `TCP_INFO`. The fields Linux 4.18 has (the oldest kernel Node 20 runs on) are always present;
 * the later ones are optional.
 */
export interface TcpInfo {
  /** How many bytes of `struct tcp_info` the running kernel filled (the length `getsockopt` returned). */
  infoBytes: number
  /** Connection state, e.g. {@link TcpState}.ESTABLISHED (1). */
  state: number
  /** Congestion-avoidance state: {@link TcpCaState}, e.g. OPEN (0), RECOVERY (3), LOSS (4). */
  caState: number
  /** Retransmission timeouts in a row for the current unacknowledged data. */
  retransmits: number
  /** Zero-window probes sent without an answer. */
  probes: number
  /** Exponential backoff of the retransmission timer (shift count). */
  backoff: number
  /** Negotiated options, a bit mask of `TCPI_OPT_*` (1 timestamps, 2 SACK, 4 window scaling, 8 ECN…). */
  options: number
  /** Send window scale shift. */
  sndWscale: number
  /** Receive window scale shift. */
  rcvWscale: number
  /** Whether the last delivery rate sample was limited by the application (not by the network). */
  deliveryRateAppLimited: boolean
  /** Why a TCP Fast Open attempt as client failed (0 when it did not). */
  fastopenClientFail: number
  /** Retransmission timeout, in microseconds. */
  rtoUs: number
  /** Delayed-ACK timeout, in microseconds. */
  atoUs: number
  /** Sending maximum segment size, in bytes. */
  sndMss: number
  /** Receiving maximum segment size (estimated), in bytes. */
  rcvMss: number
  /** Segments sent and not yet acknowledged (in flight). */
  unacked: number
  /** Segments selectively acknowledged (SACKed). */
  sacked: number
  /** Segments considered lost. */
  lost: number
  /** Segments retransmitted and not yet acknowledged. */
  retrans: number
  /** Forward-acknowledged segments (0 on current kernels). */
  fackets: number
  /** Time since data was last sent, in milliseconds. */
  lastDataSentMs: number
  /** Time since data was last received, in milliseconds. */
  lastDataRecvMs: number
  /** Time since an ACK was last received, in milliseconds. */
  lastAckRecvMs: number
  /** Path MTU, in bytes. */
  pmtu: number
  /** Receive slow-start threshold (the window clamp), in bytes. */
  rcvSsthresh: number
  /** Smoothed round-trip time, in microseconds (0 before the first sample). */
  rttUs: number
  /** Round-trip time variation (mean deviation), in microseconds. */
  rttvarUs: number
  /** Send slow-start threshold, in segments (2^31 − 1 while still in initial slow start). */
  sndSsthresh: number
  /** Congestion window, in segments. */
  sndCwnd: number
  /** Advertised maximum segment size, in bytes. */
  advMss: number
  /** Reordering degree the sender tolerates, in segments. */
  reordering: number
  /** Receiver-side round-trip time estimate, in microseconds. */
  rcvRttUs: number
  /** Receive buffer space the receiver auto-tuning aims at, in bytes. */
  rcvSpaceBytes: number
  /** Segments retransmitted over the connection's life. */
  totalRetrans: number
  /** Current pacing rate, in bytes per second (`Infinity` when unlimited). */
  pacingRateBytesPerSecond: number
  /** Maximum pacing rate (`SO_MAX_PACING_RATE`), in bytes per second (`Infinity` when unlimited). */
  maxPacingRateBytesPerSecond: number
  /** Bytes sent and acknowledged by the peer. */
  bytesAcked: number
  /** Bytes received. */
  bytesReceived: number
  /** Segments sent, retransmissions included. */
  segsOut: number
  /** Segments received. */
  segsIn: number
  /** Bytes written by the application and not yet sent. */
  notsentBytes: number
  /** Minimum round-trip time seen (windowed), in microseconds. */
  minRttUs: number
  /** Segments received that carried data. */
  dataSegsIn: number
  /** Segments sent that carried data. */
  dataSegsOut: number
  /** Most recent delivery rate sample, in bytes per second. */
  deliveryRateBytesPerSecond: number
  /** Time spent with data in flight, in microseconds. */
  busyTimeUs: number
  /** Time the sender was limited by the peer's receive window, in microseconds. */
  rwndLimitedUs: number
  /** Time the sender was limited by its own send buffer, in microseconds. */
  sndbufLimitedUs: number
  /** Segments delivered (acknowledged, SACKed included). */
  delivered: number
  /** Segments delivered with an ECN congestion-experienced mark. */
  deliveredCe: number
  /** Bytes sent, retransmissions included (Linux ≥ 4.19). */
  bytesSent?: number
  /** Bytes retransmitted (Linux ≥ 4.19). */
  bytesRetrans?: number
  /** Duplicate segments reported by D-SACK (Linux ≥ 4.19). */
  dsackDups?: number
  /** Reordering events seen (Linux ≥ 4.19). */
  reordSeen?: number
  /** Out-of-order segments received (Linux ≥ 5.4). */
  rcvOooPack?: number
  /** The peer's advertised receive window after scaling, in bytes (Linux ≥ 5.4). */
  sndWndBytes?: number
}

/** What the native `tcpInfo` returns: every field but `infoBytes` is present only when the kernel filled it. */
export type NativeTcpInfo = Partial<TcpInfo> & Pick<TcpInfo, 'infoBytes'>

/** Fields of {@link TcpInfo} that are not optional; the wrapper checks the kernel filled each of them. */
export const REQUIRED_TCP_INFO_FIELDS = [
  'state',
  'caState',
  'retransmits',
  'probes',
  'backoff',
  'options',
  'sndWscale',
  'rcvWscale',
  'deliveryRateAppLimited',
  'fastopenClientFail',
  'rtoUs',
  'atoUs',
  'sndMss',
  'rcvMss',
  'unacked',
  'sacked',
  'lost',
  'retrans',
  'fackets',
  'lastDataSentMs',
  'lastDataRecvMs',
  'lastAckRecvMs',
  'pmtu',
  'rcvSsthresh',
  'rttUs',
  'rttvarUs',
  'sndSsthresh',
  'sndCwnd',
  'advMss',
  'reordering',
  'rcvRttUs',
  'rcvSpaceBytes',
  'totalRetrans',
  'pacingRateBytesPerSecond',
  'maxPacingRateBytesPerSecond',
  'bytesAcked',
  'bytesReceived',
  'segsOut',
  'segsIn',
  'notsentBytes',
  'minRttUs',
  'dataSegsIn',
  'dataSegsOut',
  'deliveryRateBytesPerSecond',
  'busyTimeUs',
  'rwndLimitedUs',
  'sndbufLimitedUs',
  'delivered',
  'deliveredCe',
] as const satisfies ReadonlyArray<keyof TcpInfo>
