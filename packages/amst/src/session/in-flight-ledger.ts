import type { FrameStream } from './stream-provider.js'

/** A chunk sent and not yet acknowledged, and the stream it went on. */
export interface InFlightChunk {
  offsetBytes: number
  endBytes: number
  sizeBytes: number
  stream: FrameStream
}

/**
 * What an outgoing transfer has on the wire: chunks sent and unacknowledged (per stream and in all), and chunks
 * to send again because their stream died or stalled. A chunk is in at most one of the two lists.
 */
export class InFlightLedger {
  readonly #inFlight: InFlightChunk[] = []
  readonly #perStreamBytes = new Map<FrameStream, number>()
  /** Chunks to send again, lowest offset first. */
  readonly #resend: InFlightChunk[] = []
  #inFlightBytes = 0

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

  /** Records a chunk put on `stream`. */
  sent(offsetBytes: number, sizeBytes: number, stream: FrameStream): void {
    this.#inFlight.push({ offsetBytes, endBytes: offsetBytes + sizeBytes, sizeBytes, stream })
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
    return moved.length
  }

  /** Takes the next chunk to send again. */
  nextResend(): InFlightChunk | undefined {
    return this.#resend.shift()
  }

  /** An in-order acknowledgement: drops every chunk that ends at or below `ackedBytes`, in both lists. */
  ackPrefix(ackedBytes: number): void {
    for (let i = 0; i < this.#inFlight.length; ) {
      const chunk = this.#inFlight[i] as InFlightChunk
      if (chunk.endBytes > ackedBytes) i++
      else this.#drop(i)
    }
    // A resend that the receiver already has (it arrived before its stream died) needs no resending.
    while (this.#resend.length > 0 && (this.#resend[0] as InFlightChunk).endBytes <= ackedBytes)
      this.#resend.shift()
  }

  /**
   * A per-chunk acknowledgement: drops the chunk at `offsetBytes` from whichever list holds it and returns its
   * size, or 0 when neither does (a repeated acknowledgement).
   */
  ackChunk(offsetBytes: number): number {
    const index = this.#inFlight.findIndex((c) => c.offsetBytes === offsetBytes)
    if (index >= 0) return this.#drop(index).sizeBytes
    // Its stream was reclaimed and the copy not yet sent again: the first copy made it.
    const waiting = this.#resend.findIndex((c) => c.offsetBytes === offsetBytes)
    if (waiting < 0) return 0
    return (this.#resend.splice(waiting, 1)[0] as InFlightChunk).sizeBytes
  }

  #drop(index: number): InFlightChunk {
    const chunk = this.#inFlight.splice(index, 1)[0] as InFlightChunk
    this.#inFlightBytes -= chunk.sizeBytes
    const used = this.#perStreamBytes.get(chunk.stream)
    if (used !== undefined) this.#perStreamBytes.set(chunk.stream, used - chunk.sizeBytes)
    return chunk
  }
}
