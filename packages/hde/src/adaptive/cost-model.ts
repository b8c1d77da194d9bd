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

/** How sharply the weight moves to the resource that leads: at a 10 % lead the leader weighs about 0.69. */
const STEERING = 8
/**
 * Neither resource is ever free: one slow encode early in a run puts encode time far ahead, and a weight of 1
 * would then send chunks uncompressed, whose wire time every later chunk pays for.
 */
const MIN_WEIGHT = 0.05

/**
 * Encoding and sending overlap (chunk n is on the wire while chunk n + 1 is encoded), so a run of chunks takes
 * about max(total encode time, total wire time): the pipeline's slower stage. This keeps both totals and scores
 * a candidate by a weighted sum of the encode time and wire time it would add, the weight going to whichever
 * total leads (a logistic in their relative difference: ½ each when balanced).
 *
 * Minimising the completion time of the totals seen so far instead is myopic: after one slow encode it sends the
 * next chunks uncompressed, "free" while the wire catches up, yet every later chunk pays for those bytes. The
 * weighted sum is the Lagrangian of max(E, W) with a multiplier steered towards balance; over a long run it picks
 * the mix of choices that keeps both stages equally busy.
 */
export class DeliveryPipeline {
  #encodeMs = 0
  #wireMs = 0
  readonly #decay: number

  /** @param decay - factor applied to both totals at each chunk (0..1; 1 never forgets). @default 0.98 */
  constructor(decay = 0.98) {
    this.#decay = decay
  }

  /** The weight of encode time (0..1); wire time weighs the rest. */
  encodeWeight(): number {
    const total = this.#encodeMs + this.#wireMs
    if (total <= 0) return 0.5
    const weight = 1 / (1 + Math.exp((-STEERING * (this.#encodeMs - this.#wireMs)) / total))
    return Math.min(1 - MIN_WEIGHT, Math.max(MIN_WEIGHT, weight))
  }

  /** The weighted cost of a chunk with `cost`: lower is better. */
  score(cost: DeliveryCost): number {
    const weight = this.encodeWeight()
    return weight * cost.encodeMs + (1 - weight) * cost.wireMs
  }

  /** Adds the chunk actually sent. */
  add(cost: DeliveryCost): void {
    this.#encodeMs = this.#encodeMs * this.#decay + cost.encodeMs
    this.#wireMs = this.#wireMs * this.#decay + cost.wireMs
  }
}
