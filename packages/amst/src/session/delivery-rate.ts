/**
 * What the session knew when a chunk went on the wire, kept until its acknowledgement (the per-packet state of
 * draft-cheng-iccrg-delivery-rate-estimation, with chunks for packets).
 */
export interface DeliveryRecord {
  /** Bytes the chunk took on the wire (its codec frame when encoded). */
  readonly wireBytes: number
  /** When it was sent. */
  readonly sentMs: number
  /** Bytes the session had seen delivered when it was sent. */
  readonly deliveredBytes: number
  /** When that count last moved. */
  readonly deliveredMs: number
  /** Send time of the newest chunk acknowledged when this one was sent: the start of its send interval. */
  readonly firstSentMs: number
  /** Whether the sender was application-limited when it was sent. */
  readonly appLimited: boolean
  /** Still counted in flight (neither acknowledged nor given up). */
  inFlight: boolean
}

/** The estimator's figure for one measurement interval. */
export interface DeliveryEstimate {
  /** Delivery rate in bits per second; 0 when nothing was acknowledged in the interval. */
  bandwidthBps: number
  /** The interval had only application-limited samples: the figure is a lower bound or the previous one. */
  appLimited: boolean
}

/**
 * The sending side's measure of its path, as BBR takes it (draft-cheng-iccrg-delivery-rate-estimation): each
 * chunk sent records how much the session had delivered and when; its acknowledgement gives one sample, the
 * bytes delivered in between over the longer of the send and the acknowledgement intervals (the longer one, so
 * that neither a burst of sends nor a burst of acknowledgements inflates the rate). Samples taken while the
 * sender had nothing more to send (application-limited) include its idle time; they count only when they beat
 * the estimate, so pauses between transfers, a slow source and round trips spent waiting do not drag it down.
 *
 * Per measurement interval the estimate is the largest sample that was not application-limited, or the
 * largest application-limited one if that is higher than the previous estimate; with only lower
 * application-limited samples the previous estimate stands, marked as such. An interval whose acknowledgements
 * gave no trustworthy sample counts the bytes they delivered over the interval, as an application-limited
 * sample. An interval without any acknowledgement reports 0 (idle says nothing about the path) and keeps the
 * estimate for later.
 */
export class DeliveryRateEstimator {
  readonly #minRttMs: () => number
  #deliveredBytes = 0
  #deliveredMs: number
  #firstSentMs: number
  #inFlightBytes = 0
  /** While set, chunks sent are application-limited: until delivery passes this many bytes (BBR's C.app_limited). */
  #appLimitedUntilBytes = 1
  #estimateBps = 0
  #report: DeliveryEstimate = { bandwidthBps: 0, appLimited: false }
  #acked = false
  #maxBps = 0
  #maxAppLimitedBps = 0
  #sampled = false
  /** Wire bytes acknowledged since the last tick. */
  #ackedSinceTickBytes = 0

  /**
   * @param nowMs - the session's start
   * @param minRttMs - the shortest round trip seen (0 when unknown): shorter sample intervals are not trusted,
   *   since acknowledgements that arrive bunched up would give rates the path never carried
   */
  constructor(nowMs: number, minRttMs: () => number = () => 0) {
    this.#deliveredMs = nowMs
    this.#firstSentMs = nowMs
    this.#minRttMs = minRttMs
  }

  /** Wire bytes sent and neither acknowledged nor given up. */
  get inFlightBytes(): number {
    return this.#inFlightBytes
  }

  /** The figure of the last closed interval. */
  get estimate(): DeliveryEstimate {
    return this.#report
  }

  /** Records a chunk of `wireBytes` put on the wire now. */
  sent(wireBytes: number, nowMs: number): DeliveryRecord {
    // After a silence, the send interval starts with this chunk, not with the last acknowledgement before it.
    if (this.#inFlightBytes === 0) {
      this.#firstSentMs = nowMs
      this.#deliveredMs = nowMs
    }
    this.#inFlightBytes += wireBytes
    return {
      wireBytes,
      sentMs: nowMs,
      deliveredBytes: this.#deliveredBytes,
      deliveredMs: this.#deliveredMs,
      firstSentMs: this.#firstSentMs,
      appLimited: this.#appLimitedUntilBytes !== 0,
      inFlight: true,
    }
  }

  /** The chunk left the wire unacknowledged (its stream died, or its transfer ended): no longer in flight. */
  lost(record: DeliveryRecord): void {
    if (!record.inFlight) return
    record.inFlight = false
    this.#inFlightBytes -= record.wireBytes
  }

  /**
   * The sender has nothing more to send right now (it waits on its source or encoder, or sent everything):
   * chunks sent until what is in flight now has been delivered are application-limited.
   */
  markAppLimited(): void {
    this.#appLimitedUntilBytes = Math.max(this.#deliveredBytes + this.#inFlightBytes, 1)
  }

  /** One acknowledgement arrived, covering `records` (a cumulative one may cover several chunks). */
  acked(records: readonly DeliveryRecord[], nowMs: number): void {
    if (records.length === 0) return
    let newest: DeliveryRecord | undefined
    for (const record of records) {
      this.lost(record)
      this.#deliveredBytes += record.wireBytes
      this.#ackedSinceTickBytes += record.wireBytes
      if (
        !newest ||
        record.deliveredBytes > newest.deliveredBytes ||
        (record.deliveredBytes === newest.deliveredBytes && record.sentMs > newest.sentMs)
      )
        newest = record
    }
    this.#deliveredMs = nowMs
    this.#acked = true
    if (this.#appLimitedUntilBytes !== 0 && this.#deliveredBytes > this.#appLimitedUntilBytes)
      this.#appLimitedUntilBytes = 0
    if (!newest) return
    this.#firstSentMs = newest.sentMs
    const sendElapsedMs = newest.sentMs - newest.firstSentMs
    const ackElapsedMs = nowMs - newest.deliveredMs
    const intervalMs = Math.max(sendElapsedMs, ackElapsedMs)
    if (intervalMs <= 0 || intervalMs < this.#minRttMs()) return
    const rateBps = ((this.#deliveredBytes - newest.deliveredBytes) * 8 * 1000) / intervalMs
    this.#sampled = true
    if (newest.appLimited) this.#maxAppLimitedBps = Math.max(this.#maxAppLimitedBps, rateBps)
    else this.#maxBps = Math.max(this.#maxBps, rateBps)
  }

  /**
   * Closes a measurement interval of `elapsedMs` (see the class comment for what it reports). An interval whose
   * acknowledgements gave no trustworthy sample (each chunk alone in flight and back sooner than the shortest
   * ping, as when the sender waits on its encoder) still delivered bytes: their rate over the interval is a
   * lower bound, taken as an application-limited sample.
   */
  tick(elapsedMs = 0): void {
    if (this.#acked && !this.#sampled && elapsedMs > 0 && this.#ackedSinceTickBytes > 0) {
      this.#maxAppLimitedBps = (this.#ackedSinceTickBytes * 8 * 1000) / elapsedMs
      this.#sampled = true
    }
    this.#ackedSinceTickBytes = 0
    if (!this.#acked) this.#report = { bandwidthBps: 0, appLimited: false }
    else if (this.#maxBps > 0) {
      const appLimitedCounts = this.#maxAppLimitedBps > this.#estimateBps ? this.#maxAppLimitedBps : 0
      this.#estimateBps = Math.max(this.#maxBps, appLimitedCounts)
      this.#report = { bandwidthBps: this.#estimateBps, appLimited: false }
    } else {
      if (this.#maxAppLimitedBps > this.#estimateBps) this.#estimateBps = this.#maxAppLimitedBps
      // Acknowledgements without a trustworthy sample say nothing new: the estimate stands, not app-limited.
      this.#report = { bandwidthBps: this.#estimateBps, appLimited: this.#sampled }
    }
    this.#acked = false
    this.#sampled = false
    this.#maxBps = 0
    this.#maxAppLimitedBps = 0
  }
}
