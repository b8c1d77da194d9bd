import { createHash } from 'node:crypto'
import {
  AbortedError,
  type Clock,
  DwcpError,
  TransferFailedError,
  type TransferOptions,
  TransferRejectedError,
  type TransferResult,
  type TransferSource,
  throwIfAborted,
} from '@dwcp/core'
import type { SessionFrame } from './frames.js'
import type { FrameStream } from './stream-provider.js'

/** Bounds of one outgoing transfer. */
export interface SenderLimits {
  /** Chunk size striped over streams. */
  chunkBytes: number
  /** Unacknowledged bytes allowed in the whole session's transfer. */
  maxInFlightBytes: number
  /** Unacknowledged bytes allowed on one stream. */
  maxInFlightBytesPerStream: number
}

/** What the sender needs from its session. */
export interface SenderContext {
  clock: Clock
  /** Current streams (read at every chunk, so a resize takes effect mid-transfer). */
  streams: () => readonly FrameStream[]
  /** Sends a control frame on stream 0. */
  control: (frame: SessionFrame) => Promise<void>
  /** Counts bytes put on the wire. */
  onBytesSent: (bytes: number) => void
  /** Waits until the session's pacer lets `bytes` go. */
  pace: (bytes: number) => Promise<void>
}

interface InFlightChunk {
  offsetBytes: number
  endBytes: number
  stream: FrameStream
  sizeBytes: number
}

/**
 * One outgoing bulk transfer: offer, wait for accept, stripe chunks round-robin over the streams within the
 * in-flight bounds, then send the end-to-end digest and wait for the receiver's verdict.
 */
export class TransferSender {
  readonly id: string
  readonly #source: TransferSource
  readonly #options: TransferOptions
  readonly #limits: SenderLimits
  readonly #ctx: SenderContext
  readonly #inFlight: InFlightChunk[] = []
  readonly #streamInFlightBytes = new Map<FrameStream, number>()
  /** Chunks sent on a stream that died before they were acknowledged, to send again on the others. */
  readonly #resend: InFlightChunk[] = []
  #ackedBytes = 0
  #sentBytes = 0
  #wake: (() => void) | undefined
  #acceptance: { resolve: (offset: number) => void; reject: (e: Error) => void } | undefined
  #windowBytes: number
  #verdict: { resolve: (digest: string) => void; reject: (e: Error) => void } | undefined
  #failure: Error | undefined
  /** Rejects when the transfer fails, so that no wait (a full stream, the pacer) outlives an abort. */
  readonly #failed: Promise<never>
  #rejectFailed!: (error: Error) => void

  constructor(
    id: string,
    source: TransferSource,
    options: TransferOptions,
    limits: SenderLimits,
    ctx: SenderContext,
  ) {
    this.id = id
    this.#source = source
    this.#options = options
    this.#limits = limits
    this.#ctx = ctx
    this.#windowBytes = limits.maxInFlightBytes
    this.#failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject
    })
    this.#failed.catch(() => {})
  }

  /** Runs the transfer to the end. */
  async run(): Promise<TransferResult> {
    const startedMs = this.#ctx.clock.now()
    const signal = this.#options.signal
    const onAbort = (): void => this.fail(new AbortedError(signal?.reason), true)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      throwIfAborted(signal)
      const accepted = new Promise<number>((resolve, reject) => {
        this.#acceptance = { resolve, reject }
      })
      accepted.catch(() => {})
      await this.#ctx.control({
        type: 'transfer-offer',
        id: this.id,
        sizeBytes: this.#source.sizeBytes,
        chunkBytes: this.#limits.chunkBytes,
        metadata: this.#options.metadata ?? {},
      })
      const resumeOffsetBytes = await accepted
      const hash = createHash('sha256')
      await this.#hashPrefix(hash, resumeOffsetBytes)
      this.#ackedBytes = resumeOffsetBytes
      this.#sentBytes = resumeOffsetBytes
      const verdict = new Promise<string>((resolve, reject) => {
        this.#verdict = { resolve, reject }
      })
      verdict.catch(() => {})
      let streamCursor = 0
      for (let offset = resumeOffsetBytes; offset < this.#source.sizeBytes; ) {
        this.#check()
        await this.#resendLost(streamCursor++)
        const lengthBytes = Math.min(this.#limits.chunkBytes, this.#source.sizeBytes - offset)
        const bytes = await this.#read(offset, lengthBytes)
        hash.update(bytes)
        await this.#sendChunk(offset, bytes, streamCursor++)
        offset += bytes.byteLength
        this.#sentBytes = offset
        this.#progress()
      }
      // Everything was sent once; keep resending what lost streams dropped until all of it is acknowledged.
      while (this.#ackedBytes < this.#source.sizeBytes) {
        this.#check()
        if (this.#resend.length > 0) await this.#resendLost(streamCursor++)
        else await this.#sleep()
      }
      const digest = `sha256:${hash.digest('hex')}`
      await this.#ctx.control({ type: 'transfer-end', id: this.id, digest })
      await verdict
      return {
        id: this.id,
        sizeBytes: this.#source.sizeBytes,
        digest,
        durationMs: this.#ctx.clock.now() - startedMs,
      }
    } catch (error) {
      const failure = this.#failure ?? error
      if (!(this.#failure instanceof DwcpError && this.#failure.code === 'DWCP_ERR_TRANSFER_REJECTED')) {
        // Tell the receiver, so it releases its sink; best effort, the session may be gone.
        this.#ctx
          .control({ type: 'transfer-abort', id: this.id, reason: String((failure as Error).message) })
          .catch(() => {})
      }
      throw failure instanceof DwcpError
        ? failure
        : new TransferFailedError(this.id, String(failure), failure)
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Handles a control frame addressed to this transfer. */
  handle(frame: SessionFrame): void {
    switch (frame.type) {
      case 'transfer-accept':
        // The receiver's reorder buffer bounds what may be in flight.
        this.#windowBytes = Math.max(1, Math.min(this.#limits.maxInFlightBytes, frame.windowBytes))
        this.#acceptance?.resolve(Math.max(0, Math.min(frame.resumeOffsetBytes, this.#source.sizeBytes)))
        return
      case 'transfer-reject':
        this.fail(new TransferRejectedError(this.id, frame.reason))
        return
      case 'ack':
        this.#onAck(frame.ackedBytes)
        return
      case 'transfer-done':
        this.#verdict?.resolve(frame.digest)
        return
      case 'transfer-abort':
        this.fail(new TransferFailedError(this.id, `receiver aborted: ${frame.reason}`))
        return
      default:
        return
    }
  }

  /** A stream died: what it carried unacknowledged is sent again on the remaining streams. */
  streamLost(stream: FrameStream): void {
    const lost = this.#inFlight.filter((c) => c.stream === stream)
    if (lost.length === 0) return
    this.#streamInFlightBytes.delete(stream)
    for (const chunk of lost) {
      this.#inFlight.splice(this.#inFlight.indexOf(chunk), 1)
      this.#resend.push(chunk)
    }
    this.#resend.sort((a, b) => a.offsetBytes - b.offsetBytes)
    this.#wake?.()
  }

  /** Fails the transfer (session closed, abort, peer verdict). */
  fail(error: Error, _local = false): void {
    if (this.#failure) return
    this.#failure = error
    this.#rejectFailed(error)
    this.#acceptance?.reject(error)
    this.#verdict?.reject(error)
    this.#wake?.()
  }

  #onAck(ackedBytes: number): void {
    if (ackedBytes <= this.#ackedBytes || ackedBytes > this.#sentBytes) return
    this.#ackedBytes = ackedBytes
    for (let i = 0; i < this.#inFlight.length; ) {
      const chunk = this.#inFlight[i] as InFlightChunk
      if (chunk.endBytes > ackedBytes) {
        i++
        continue
      }
      this.#inFlight.splice(i, 1)
      this.#streamInFlightBytes.set(
        chunk.stream,
        (this.#streamInFlightBytes.get(chunk.stream) ?? 0) - chunk.sizeBytes,
      )
    }
    // A resend that the receiver already has (it arrived before its stream died) needs no resending.
    while (this.#resend.length > 0 && (this.#resend[0] as InFlightChunk).endBytes <= ackedBytes)
      this.#resend.shift()
    this.#progress()
    this.#wake?.()
  }

  #progress(): void {
    this.#options.onProgress?.({
      bytesAcked: this.#ackedBytes,
      bytesSent: this.#sentBytes,
      totalBytes: this.#source.sizeBytes,
    })
  }

  #check(): void {
    if (this.#failure) throw this.#failure
  }

  async #read(offset: number, lengthBytes: number): Promise<Uint8Array> {
    let bytes: Uint8Array
    try {
      bytes = await this.#source.read(offset, lengthBytes, this.#options.signal)
    } catch (error) {
      throw new TransferFailedError(this.id, `source read at ${offset} failed`, error)
    }
    if (bytes.byteLength === 0 || bytes.byteLength > lengthBytes)
      throw new TransferFailedError(
        this.id,
        `source returned ${bytes.byteLength} bytes at ${offset}, asked ${lengthBytes}`,
      )
    return bytes
  }

  async #hashPrefix(hash: ReturnType<typeof createHash>, endBytes: number): Promise<void> {
    for (let offset = 0; offset < endBytes; ) {
      const bytes = await this.#read(offset, Math.min(this.#limits.chunkBytes, endBytes - offset))
      hash.update(bytes)
      offset += bytes.byteLength
    }
  }

  /** Sends one chunk on a stream with room, recording it as in flight there. */
  async #sendChunk(offsetBytes: number, bytes: Uint8Array, cursor: number): Promise<void> {
    const stream = await this.#pickStream(cursor, bytes.byteLength)
    this.#inFlight.push({
      offsetBytes,
      endBytes: offsetBytes + bytes.byteLength,
      stream,
      sizeBytes: bytes.byteLength,
    })
    this.#streamInFlightBytes.set(stream, (this.#streamInFlightBytes.get(stream) ?? 0) + bytes.byteLength)
    await Promise.race([this.#ctx.pace(bytes.byteLength), this.#failed])
    try {
      await Promise.race([stream.write({ type: 'chunk', id: this.id, offsetBytes, bytes }), this.#failed])
    } catch {
      this.#check()
      // The stream died under the write; its provider reports the loss and the chunk is resent from there.
      this.streamLost(stream)
      return
    }
    this.#ctx.onBytesSent(bytes.byteLength)
  }

  /** Sends again the chunks of lost streams, re-reading them from the source. */
  async #resendLost(cursor: number): Promise<void> {
    while (this.#resend.length > 0) {
      this.#check()
      const chunk = this.#resend.shift() as InFlightChunk
      if (chunk.endBytes <= this.#ackedBytes) continue
      const bytes = await this.#read(chunk.offsetBytes, chunk.sizeBytes)
      await this.#sendChunk(chunk.offsetBytes, bytes, cursor++)
    }
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve
    }).then(() => {
      this.#wake = undefined
    })
  }

  /** Waits until the session window and some stream have room; prefers the round-robin stream. */
  async #pickStream(cursor: number, sizeBytes: number): Promise<FrameStream> {
    for (;;) {
      this.#check()
      const streams = this.#ctx.streams()
      const unacked = this.#inFlight.reduce((sum, c) => sum + c.sizeBytes, 0)
      const sessionRoom = unacked + sizeBytes <= this.#windowBytes
      if (sessionRoom || unacked === 0) {
        for (let i = 0; i < streams.length; i++) {
          const stream = streams[(cursor + i) % streams.length] as FrameStream
          const used = this.#streamInFlightBytes.get(stream) ?? 0
          if (used === 0 || used + sizeBytes <= this.#limits.maxInFlightBytesPerStream) return stream
        }
      }
      await this.#sleep()
    }
  }
}
