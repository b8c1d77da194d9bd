import type { Clock, CodecContext } from '@dwcp/core'
import type { DeliveryRateEstimator, DeliveryRecord } from './delivery-rate.js'
import type { SessionFrame } from './frames.js'
import type { InFlightChunk, LedgerListener } from './in-flight-ledger.js'
import type { LoopMeter } from './loop-meter.js'
import type { FrameStream } from './stream-provider.js'

/** Bounds of one outgoing transfer. */
export interface SenderLimits {
  /** Chunk size striped over streams. */
  chunkBytes: number
  /** Unacknowledged bytes allowed in the whole session's transfer. */
  maxInFlightBytes: number
  /** Unacknowledged bytes allowed on one stream. */
  maxInFlightBytesPerStream: number
  /** Largest codec frame of one chunk a peer accepts (the streams' payload bound). */
  maxEncodedBytes: number
}

/**
 * Chunks read (and encoded) ahead of the one being sent: enough that the source and the encoder work while
 * earlier chunks are on the wire, few enough that the memory it takes stays a small multiple of the chunk size.
 */
export const READ_AHEAD_CHUNKS = 2

/** What the sender needs from its session. */
export interface SenderContext {
  clock: Clock
  /** Current streams (read at every chunk, so a resize takes effect mid-transfer). */
  streams: () => readonly FrameStream[]
  /** Sends a control frame on stream 0. */
  control: (frame: SessionFrame) => Promise<void>
  /** Counts bytes put on the wire (encoded bytes for an encoded chunk). */
  onBytesSent: (bytes: number) => void
  /** Waits until the session's pacer lets `bytes` (wire bytes) go. */
  pace: (bytes: number) => Promise<void>
  /** The context a chunk is encoded in when the transfer's options name no other. */
  codecContext: () => CodecContext
  /** The session's delivery-rate estimator: every chunk sent and acknowledged is recorded in it. */
  delivery?: DeliveryRateEstimator
  /** Called when this transfer runs out of chunks ready to send (it has nothing ready to send). */
  onAppLimited?: () => void
  /** The session's smoothed RTT (undefined before it is measured), for spotting a stalled stream. */
  rttMs?: () => number | undefined
  /**
   * The session's event-loop meter: a stall is counted in the time the loop was responsive, so that a busy
   * process is not taken for a stalled stream. Without it, in wall time.
   */
  loop?: LoopMeter
}

/** A ledger listener that reports a transfer's acknowledged and lost chunks to the session's estimator. */
export function deliveryListener(delivery: DeliveryRateEstimator, clock: Clock): LedgerListener {
  const records = (chunks: readonly InFlightChunk[]): DeliveryRecord[] =>
    chunks.flatMap((chunk) => (chunk.record ? [chunk.record] : []))
  return {
    acked: (chunks) => delivery.acked(records(chunks), clock.now()),
    lost: (chunks) => {
      for (const record of records(chunks)) delivery.lost(record)
    },
  }
}
