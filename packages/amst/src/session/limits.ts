import { FRAME_HEADER_BYTES } from '../wire/frame-layout.js'

/** Bounds of one session. Everything that grows is bounded here. */
export interface SessionLimits {
  /** Chunk size striped over streams. @default 262144 (256 KiB) */
  chunkBytes: number
  /** Largest chunk a peer may announce. @default 16777216 (16 MiB) */
  maxChunkBytes: number
  /**
   * Unacknowledged bytes of one transfer across the session (and the receiver's reorder buffer). It must cover
   * the path's bandwidth-delay product (BBR keeps about twice that in flight) plus what the socket buffers hold;
   * 64 MiB covers 1 Gbit/s at 100 ms with room to spare. An in-order receiver may buffer this much per transfer;
   * a positional one only queues what its sink has not written yet. @default 67108864
   */
  maxInFlightBytes: number
  /** Unacknowledged bytes on one stream (a single stream must cover the whole path on its own). @default 33554432 */
  maxInFlightBytesPerStream: number
  /** Largest message `send` accepts. @default 16777216 */
  maxMessageBytes: number
  /** Longest channel name. @default 64 */
  maxChannelLength: number
  /** Transfers a peer may have open towards us at once (each may buffer up to maxInFlightBytes). @default 8 */
  maxIncomingTransfers: number
  /** Largest metadata of a transfer, as JSON characters. @default 4096 */
  maxMetadataChars: number
  /**
   * How long `close()` waits for the close frame to get through stream 0 before it tears the streams down
   * anyway (a stream 0 queued with chunks on a slow, lossy path may take minutes to drain). @default 2000
   */
  closeGraceMs: number
  /** Interval of ping frames that measure RTT. @default 1000 */
  pingIntervalMs: number
  /** Pacing of bulk chunks across the session, bits per second; 0 leaves pacing to TCP. @default 0 */
  pacingRateBps: number
  /** Burst the pacer allows, in bytes. @default 1048576 */
  pacingBurstBytes: number
}

/** The default {@link SessionLimits}. */
export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = Object.freeze({
  chunkBytes: 256 * 1024,
  maxChunkBytes: 16 * 1024 * 1024,
  maxInFlightBytes: 64 * 1024 * 1024,
  maxInFlightBytesPerStream: 32 * 1024 * 1024,
  maxMessageBytes: 16 * 1024 * 1024,
  maxChannelLength: 64,
  maxIncomingTransfers: 8,
  maxMetadataChars: 4096,
  closeGraceMs: 2000,
  pingIntervalMs: 1000,
  pacingRateBps: 0,
  pacingBurstBytes: 1024 * 1024,
})

/**
 * Room a stream's payload bound leaves above the largest chunk or message: a codec frame carries a header of
 * its own, and compressing incompressible bytes adds a little to them.
 */
const PAYLOAD_SLACK_BYTES = 8192

/**
 * The largest frame payload a stream under `limits` accepts: its largest chunk or message and some room (the
 * frame readers of the TCP and UCX transports refuse anything longer before allocating it).
 */
export function maxPayloadBytes(limits: SessionLimits): number {
  return Math.max(limits.maxChunkBytes, limits.maxMessageBytes) + FRAME_HEADER_BYTES + PAYLOAD_SLACK_BYTES
}
