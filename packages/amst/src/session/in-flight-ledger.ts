import type { DeliveryRecord } from './delivery-rate.js'
import type { FrameStream } from './stream-provider.js'

/** A chunk as it goes on the wire, and as it goes again if its stream dies or stalls. */
export interface WireChunk {
  /** Where the chunk sits in the object. */
  offsetBytes: number
  /** Its original size: what windows and acknowledgements count. */
  sizeBytes: number
  /**
   * What was put on the wire: the chunk's bytes, or the codec's frame of them when `encoded`. A resend sends these
   * again, so that every copy the receiver may keep is the one the digest covers, even when the source has
   * changed since it was read (a live VM image).
   */
  wire: Uint8Array
  /** Whether `wire` is a codec frame. */
  encoded: boolean
}

/** A chunk sent and not yet acknowledged, and the stream it went on. */
export interface InFlightChunk extends WireChunk {
  endBytes: number
  stream: FrameStream
  /** What the session's delivery-rate estimator recorded when the chunk was sent, if it measures. */
  record?: DeliveryRecord
}

/** Told when chunks leave the ledger, so that their delivery (or their loss) can be measured. */
export interface LedgerListener {
  /** Chunks one acknowledgement covered, from either list. */
  acked(chunks: readonly InFlightChunk[]): void
  /** Chunks that left the wire unacknowledged: their stream was reclaimed, or the ledger was abandoned. */
  lost(chunks: readonly InFlightChunk[]): void
}

/**
 * What an outgoing transfer has on the wire: chunks sent and unacknowledged (per stream and in all), and chunks
 * to send again because their stream died or stalled. A chunk is in at most one of the two lists, and keeps
 * its wire bytes until it is acknowledged: the sender's window bounds what that holds.
 */
export class InFlightLedger {
  readonly #inFlight: InFlightChunk[] = []
  readonly #perStreamBytes = new Map<FrameStream, number>()
  /** Chunks to send again, lowest offset first. */
  readonly #resend: InFlightChunk[] = []
  #inFlightBytes = 0
  readonly #listener: LedgerListener | undefined

  constructor(listener?: LedgerListener) {
    this.#listener = listener
  }

  /** Unacknowledged bytes on the wire (not counting chunks waiting to be sent again). */
  get inFlightBytes(): number {
    return this.#inFlightBytes
  }

  /** Unacknowledged bytes sent on `stream`. */
  streamBytes(stream: FrameStream): number {
    return this.#perStreamBytes.get(stream) ?? 0
  }

  /** Whether chunks wait to be sent again. */
  get resendPending(): boolean {
    return this.#resend.length > 0
  }

  /** Records a chunk put on `stream`, with its wire bytes (kept until it is acknowledged). */
  sent(chunk: WireChunk, stream: FrameStream, record?: DeliveryRecord): void {
    const { offsetBytes, sizeBytes, wire, encoded } = chunk
    this.#inFlight.push({
      offsetBytes,
      endBytes: offsetBytes + sizeBytes,
      sizeBytes,
      wire,
      encoded,
      stream,
      ...(record ? { record } : {}),
    })
    this.#inFlightBytes += sizeBytes
    this.#perStreamBytes.set(stream, this.streamBytes(stream) + sizeBytes)
  }

  /** The unacknowledged chunk with the lowest offset: the one an in-order receiver waits for. */
  head(): InFlightChunk | undefined {
    let head: InFlightChunk | undefined
    for (const chunk of this.#inFlight) if (!head || chunk.offsetBytes < head.offsetBytes) head = chunk
    return head
  }

  /** Moves every chunk of `stream` to the resend list; returns how many moved. */
  reclaim(stream: FrameStream): number {
    const moved = this.#inFlight.filter((c) => c.stream === stream)
    if (moved.length === 0) return 0
    this.#perStreamBytes.delete(stream)
    for (const chunk of moved) {
      this.#inFlight.splice(this.#inFlight.indexOf(chunk), 1)
      this.#inFlightBytes -= chunk.sizeBytes
      this.#resend.push(chunk)
    }
    this.#resend.sort((a, b) => a.offsetBytes - b.offsetBytes)
    this.#listener?.lost(moved)
    return moved.length
  }

  /** Takes the next chunk to send again, with the wire bytes it went with the first time. */
  nextResend(): InFlightChunk | undefined {
    return this.#resend.shift()
  }

  /** An in-order acknowledgement: drops every chunk that ends at or below `ackedBytes`, in both lists. */
  ackPrefix(ackedBytes: number): void {
    const acked: InFlightChunk[] = []
    for (let i = 0; i < this.#inFlight.length; ) {
      const chunk = this.#inFlight[i] as InFlightChunk
      if (chunk.endBytes > ackedBytes) i++
      else acked.push(this.#drop(i))
    }
    // A resend that the receiver already has (it arrived before its stream died) needs no resending.
    while (this.#resend.length > 0 && (this.#resend[0] as InFlightChunk).endBytes <= ackedBytes)
      acked.push(this.#resend.shift() as InFlightChunk)
    if (acked.length > 0) this.#listener?.acked(acked)
  }

  /**
   * A per-chunk acknowledgement: drops the chunk at `offsetBytes` from whichever list holds it and returns its
   * size, or 0 when neither does (a repeated acknowledgement).
   */
  ackChunk(offsetBytes: number): number {
    const index = this.#inFlight.findIndex((c) => c.offsetBytes === offsetBytes)
    // Else its stream was reclaimed and the copy not yet sent again: the first copy made it.
    const waiting = index >= 0 ? -1 : this.#resend.findIndex((c) => c.offsetBytes === offsetBytes)
    const chunk =
      index >= 0
        ? this.#drop(index)
        : waiting >= 0
          ? (this.#resend.splice(waiting, 1)[0] as InFlightChunk)
          : undefined
    if (!chunk) return 0
    this.#listener?.acked([chunk])
    return chunk.sizeBytes
  }

  /** Gives up on every chunk (the transfer ended): those still on the wire are reported lost. */
  abandon(): void {
    const left = [...this.#inFlight, ...this.#resend]
    this.#inFlight.length = 0
    this.#resend.length = 0
    this.#perStreamBytes.clear()
    this.#inFlightBytes = 0
    if (left.length > 0) this.#listener?.lost(left)
  }

  #drop(index: number): InFlightChunk {
    const chunk = this.#inFlight.splice(index, 1)[0] as InFlightChunk
    this.#inFlightBytes -= chunk.sizeBytes
    const used = this.#perStreamBytes.get(chunk.stream)
    if (used !== undefined) this.#perStreamBytes.set(chunk.stream, used - chunk.sizeBytes)
    return chunk
  }
}
