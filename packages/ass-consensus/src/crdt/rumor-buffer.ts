import type { RumoredUpdate } from './sync-codec.js'
import { HEADER_BYTES_MAX, UPDATE_OVERHEAD_BYTES_MAX } from './wire-limits.js'

interface Rumor extends RumoredUpdate {
  /** Rounds this rumor is still pushed in. */
  roundsLeft: number
}

/** Bounds of a {@link RumorBuffer}. */
export interface RumorBufferLimits {
  /** Rounds each rumor is pushed in. */
  rounds: number
  /** Most rumors held; the oldest are dropped beyond it. */
  maxRumors: number
  /** Largest message a batch may encode to. */
  maxMessageBytes: number
  /** Most updates in one batch. */
  maxUpdatesPerBatch: number
}

/**
 * The updates a replica is spreading (rumor mongering): each is pushed in a bounded number of rounds and then
 * retires, so the traffic of one write is bounded whatever the cluster does; anti-entropy covers the replicas
 * a rumor missed. The buffer is bounded too: when writes outpace rounds, the oldest rumors are dropped.
 */
export class RumorBuffer {
  private rumors: Rumor[] = []
  /** Rumors dropped (buffer full, or one update too large for any message). */
  dropped = 0

  constructor(private readonly limits: RumorBufferLimits) {}

  /** Number of rumors held. */
  get size(): number {
    return this.rumors.length
  }

  /** Adds a rumor; refuses (counts as dropped) one that cannot fit any message on its own. */
  add(rumor: RumoredUpdate): void {
    const bytes = HEADER_BYTES_MAX + UPDATE_OVERHEAD_BYTES_MAX + rumor.update.byteLength
    if (bytes > this.limits.maxMessageBytes) {
      this.dropped++
      return
    }
    this.rumors.push({ ...rumor, roundsLeft: this.limits.rounds })
    const excess = this.rumors.length - this.limits.maxRumors
    if (excess > 0) {
      this.rumors.splice(0, excess)
      this.dropped += excess
    }
  }

  /**
   * Takes one round: returns every live rumor packed into batches that each encode within the limits, and
   * counts the round against each rumor (retiring those at their last round).
   */
  round(): RumoredUpdate[][] {
    const batches: RumoredUpdate[][] = []
    let batch: RumoredUpdate[] = []
    let batchBytes = HEADER_BYTES_MAX
    for (const rumor of this.rumors) {
      const bytes = UPDATE_OVERHEAD_BYTES_MAX + rumor.update.byteLength
      if (
        batch.length > 0 &&
        (batchBytes + bytes > this.limits.maxMessageBytes || batch.length >= this.limits.maxUpdatesPerBatch)
      ) {
        batches.push(batch)
        batch = []
        batchBytes = HEADER_BYTES_MAX
      }
      batch.push({ update: rumor.update, originTimeMs: rumor.originTimeMs })
      batchBytes += bytes
      rumor.roundsLeft--
    }
    if (batch.length > 0) batches.push(batch)
    this.rumors = this.rumors.filter((rumor) => rumor.roundsLeft > 0)
    return batches
  }
}
