import type { SessionFrame } from './frames.js'

/** One ordered, reliable stream of frames (a TCP connection, an in-memory link pair). */
export interface FrameStream {
  /** Queues a frame; resolves once the stream's bounded buffer accepted it (backpressure). */
  write(frame: SessionFrame): Promise<void>
  /**
   * True while the stream's queue is over its bound, so a write would wait (a TCP connection in loss recovery,
   * say). Streams that report it let a sender stripe around a stalled stream instead of waiting on it; streams
   * that do not are written one frame at a time, each write awaited.
   */
  readonly congested?: boolean
  /** Resolves once the stream is no longer {@link FrameStream.congested} (or has ended). */
  whenWritable?(): Promise<void>
}

/** Link-level facts a provider can measure (loss from retransmissions, for example). */
export interface StreamStats {
  /** Fraction of packets lost or retransmitted on the outgoing streams, 0..1. */
  lossRate: number
  /** The kernel's smoothed RTT of the streams, in milliseconds, when the provider can read it (TCP_INFO). */
  rttMs?: number
  /** The kernel's RTT variation of the streams, in milliseconds, alongside {@link StreamStats.rttMs}. */
  rttVarMs?: number
}

/**
 * The streams under one session. A session sends control frames and messages on stream 0 and stripes bulk
 * chunks over all of them; frames from every stream arrive through one handler.
 */
export interface StreamProvider {
  /** The current streams; stream 0 always exists while the provider is open. */
  readonly streams: readonly FrameStream[]
  /** Grows or shrinks the stream set; returns the count in effect (bounded by the provider). */
  setStreamCount(count: number): number
  /** Registers the handler of incoming frames (called once by the session). */
  onFrame(handler: (frame: SessionFrame) => void): void
  /** Registers the handler called when the underlying connection is lost. */
  onLost(handler: (error: Error) => void): void
  /**
   * Registers the handler called when one data stream (not stream 0) dies while the session lives on: the
   * session resends what that stream carried unacknowledged on the others. Providers that never lose a single
   * stream may ignore it.
   */
  onStreamLost?(handler: (stream: FrameStream) => void): void
  /**
   * Puts every stream on the congestion control `algorithm` (`cubic`, `bbr`…), now and streams opened later.
   * Providers whose streams have no congestion control of their own to choose (in-memory links, UCX lanes)
   * leave it out, and the session's call is a no-op.
   */
  setCongestion?(algorithm: string): void
  /** Releases every stream; nothing is delivered afterwards. */
  close(): void
  /** Link-level measurements. */
  stats(): StreamStats
}
