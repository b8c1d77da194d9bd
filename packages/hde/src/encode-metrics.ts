/**
 * What every HDE encoder records for each frame it writes: the bytes given to it and the frame bytes it made
 * (`dwcp_hde_bytes_original_total`, `dwcp_hde_bytes_compressed_total`), and the compression ratio those
 * running totals give (`dwcp_hde_compression_ratio`), all by algorithm. One place, so that the gauge is always
 * the ratio of the two counters as this encoder has driven them.
 */
import { METRIC_NAMES, type Metrics } from '@dwcp/core'

/** Records the frames of one encoder. */
export interface EncodeMetrics {
  /**
   * Counts one frame of `algorithm`: `originalBytes` given, `frameBytes` written (header included, so the
   * ratio is the wire cost), and sets the algorithm's ratio to its running totals.
   */
  record(algorithm: string, originalBytes: number, frameBytes: number): void
}

const NOTHING: EncodeMetrics = Object.freeze({ record() {} })

/**
 * The {@link EncodeMetrics} of one encoder over `metrics`, or one that records nothing when it is absent. The
 * totals belong to this encoder: the ratio is "what this codec achieved so far", not a process-wide figure,
 * which the two counters give instead.
 */
export function encodeMetrics(metrics: Metrics | undefined): EncodeMetrics {
  if (metrics === undefined) return NOTHING
  const originalCounter = metrics.counter(METRIC_NAMES.hdeBytesOriginal)
  const compressedCounter = metrics.counter(METRIC_NAMES.hdeBytesCompressed)
  const ratioGauge = metrics.gauge(METRIC_NAMES.hdeCompressionRatio)
  const totals = new Map<string, { originalBytes: number; frameBytes: number }>()
  return {
    record(algorithm, originalBytes, frameBytes) {
      const labels = { algorithm }
      originalCounter.inc(labels, originalBytes)
      compressedCounter.inc(labels, frameBytes)
      let total = totals.get(algorithm)
      if (total === undefined) {
        total = { originalBytes: 0, frameBytes: 0 }
        totals.set(algorithm, total)
      }
      total.originalBytes += originalBytes
      total.frameBytes += frameBytes
      // A frame is never empty (it has a header), but a ratio over nothing would be NaN, which the gauge refuses.
      if (total.frameBytes > 0) ratioGauge.set(total.originalBytes / total.frameBytes, labels)
    },
  }
}
