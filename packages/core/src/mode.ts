/**
 * The three worlds DWCP runs in. See DESIGN.md §1.
 *
 * - `datacenter`: sub-millisecond, ≥ 10 Gbit/s, loss ~0, RDMA maybe.
 * - `internet`: 10–500 ms, lossy, 1 Mbit/s – 1 Gbit/s.
 * - `hybrid`: both kinds of peers at once.
 */
export type Mode = 'datacenter' | 'internet' | 'hybrid'

/** The class of one peer path: a single path is either datacenter-like or internet-like. */
export type PathClass = 'datacenter' | 'internet'

/** Every mode, in a stable order (useful for validation and metric labels). */
export const MODES: readonly Mode[] = ['datacenter', 'internet', 'hybrid'] as const

/** Whether a value is one of the {@link Mode} strings. */
export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value)
}

/** One measurement of a peer path, as a transport reports it. */
export interface PathSample {
  /** When the sample was taken, in milliseconds on the node's {@link Clock}. */
  at: number
  /** Smoothed round-trip time in milliseconds. */
  rttMs: number
  /** Delivered throughput (goodput) in bits per second; 0 when nothing was measured. */
  bandwidthBps: number
  /** Fraction of packets lost or retransmitted, 0..1. */
  lossRate: number
  /** Round-trip time variation in milliseconds. */
  jitterMs: number
  /** Whether the peer is reachable over RDMA (verbs through UCX). */
  rdma: boolean
  /**
   * True when `bandwidthBps` was not measured at full load: the sender was application-limited (it had nothing
   * more to send) throughout the interval, so the figure is the previous estimate or a lower bound of what the
   * path carries. A forecast should not be lowered by such a sample. Absent or false: a measurement at load,
   * or nothing measured (`bandwidthBps` 0).
   */
  appLimited?: boolean
}
