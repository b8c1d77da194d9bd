/** What the selector has learnt about one algorithm on one class of chunks. */
export interface AlgorithmEstimate {
  /** Encode time per original byte, in nanoseconds, on one core. */
  encodeNsPerByte: number
  /** Frame bytes per original byte (header included): below 1 when it compresses. */
  sizeRatio: number
  /** Observations so far. */
  samples: number
  /** Chunk counter of the class at the last observation (for re-exploration of stale estimates). */
  lastChunk: number
}

/** The two resources a chunk uses on its way: encoder time (over the cores allowed) and wire time. */
export interface DeliveryCost {
  /** Encode time in ms, divided among the cores the encoder may use. */
  encodeMs: number
  /** Time on the wire in ms at the predicted bandwidth. */
  wireMs: number
}

/** Predicted cost of sending `originalBytes` with an algorithm, from its estimate. */
export function predictCost(
  estimate: AlgorithmEstimate,
  originalBytes: number,
  bandwidthBps: number,
  cores: number,
): DeliveryCost {
  return {
    encodeMs: (originalBytes * estimate.encodeNsPerByte) / 1e6 / Math.max(1, cores),
    wireMs: (originalBytes * estimate.sizeRatio * 8 * 1000) / bandwidthBps,
  }
}

/**
 * Encoding and sending overlap (chunk n is on the wire while chunk n + 1 is encoded), so a run of chunks takes
 * about max(total encode time, total wire time): the pipeline's slower stage. This keeps those totals, decayed
 * so that old chunks weigh less, and scores a candidate by the completion time it would leave.
 */
export class DeliveryPipeline {
  #encodeMs = 0
  #wireMs = 0
  readonly #decay: number

  /** @param decay - factor applied to both totals at each chunk (0..1; 1 never forgets). @default 0.98 */
  constructor(decay = 0.98) {
    this.#decay = decay
  }

  /** The completion time if the next chunk had `cost`. */
  score(cost: DeliveryCost): number {
    return Math.max(this.#encodeMs + cost.encodeMs, this.#wireMs + cost.wireMs)
  }

  /** Adds the chunk actually sent. */
  add(cost: DeliveryCost): void {
    this.#encodeMs = this.#encodeMs * this.#decay + cost.encodeMs
    this.#wireMs = this.#wireMs * this.#decay + cost.wireMs
  }
}
