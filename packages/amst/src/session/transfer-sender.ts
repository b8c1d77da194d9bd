import {
  AbortedError,
  DwcpError,
  TransferFailedError,
  type TransferOptions,
  TransferRejectedError,
  type TransferResult,
  type TransferSource,
  throwIfAborted,
} from '@dwcp/core'
import { ChunkPipeline } from './chunk-pipeline.js'
import { ChunkSource } from './chunk-source.js'
import { FailureGate } from './failure-gate.js'
import type { SessionFrame } from './frames.js'
import { InFlightLedger, type WireChunk } from './in-flight-ledger.js'
import {
  deliveryListener,
  READ_AHEAD_CHUNKS,
  type SenderContext,
  type SenderLimits,
} from './sender-context.js'
import { StallDetector } from './stall-detector.js'
import type { FrameStream } from './stream-provider.js'
import { transferDigest } from './transfer-digest.js'

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
  readonly #ledger: InFlightLedger
  /** In order: the acknowledged prefix. Out of order: the sum of the chunks acknowledged one by one. */
  #ackedBytes = 0
  /** The receiver writes chunks where they land and acknowledges each (its sink is positional). */
  #outOfOrder = false
  #sentBytes = 0
  #wake: (() => void) | undefined
  readonly #stall: StallDetector
  #acceptance: { resolve: (offset: number) => void; reject: (e: Error) => void } | undefined
  #windowBytes: number
  #verdict: { resolve: (digest: string) => void; reject: (e: Error) => void } | undefined
  #failure: Error | undefined
  /** Ends the waits (a chunk from the pipeline, the pacer, a full stream) when the transfer fails. */
  readonly #gate = new FailureGate()
  readonly #chunks: ChunkSource
  /** True while a chunk is ready and waits only on the window, a stream or the pacer. */
  #networkLimited = false
  /** The stream the next chunk tries first: one step per chunk sent, so chunks go round-robin. */
  #streamCursor = 0

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
    this.#ledger = new InFlightLedger(ctx.delivery && deliveryListener(ctx.delivery, ctx.clock))
    this.#chunks = new ChunkSource({
      transferId: id,
      source,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.codec ? { codec: options.codec } : {}),
      codecContext: options.codecContext ?? ctx.codecContext,
      maxEncodedBytes: limits.maxEncodedBytes,
    })
    const loop = ctx.loop
    this.#stall = new StallDetector(
      ctx.clock.now(),
      () => ctx.rttMs?.(),
      loop && ((nowMs) => loop.responsiveMs(nowMs)),
    )
  }

  /** Runs the transfer to the end. */
  async run(): Promise<TransferResult> {
    const startedMs = this.#ctx.clock.now()
    const signal = this.#options.signal
    const onAbort = (): void => this.fail(new AbortedError(signal?.reason), true)
    signal?.addEventListener('abort', onAbort, { once: true })
    const releaseLoop = this.#ctx.loop?.hold()
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
      const hash = transferDigest(this.#outOfOrder)
      await this.#chunks.hashPrefix(hash, resumeOffsetBytes, this.#limits.chunkBytes)
      this.#ackedBytes = resumeOffsetBytes
      this.#sentBytes = resumeOffsetBytes
      const verdict = new Promise<string>((resolve, reject) => {
        this.#verdict = { resolve, reject }
      })
      verdict.catch(() => {})
      this.#stall.progressed(this.#ctx.clock.now())
      const pipeline = new ChunkPipeline({
        startBytes: resumeOffsetBytes,
        endBytes: this.#source.sizeBytes,
        chunkBytes: this.#limits.chunkBytes,
        depthChunks: READ_AHEAD_CHUNKS,
        read: (offset, lengthBytes) => this.#chunks.read(offset, lengthBytes),
        ...(this.#chunks.encoding ? { encode: (bytes: Uint8Array) => this.#chunks.encode(bytes) } : {}),
      })
      try {
        for (let offset = resumeOffsetBytes; offset < this.#source.sizeBytes; ) {
          this.#check()
          await this.#resendLost()
          const lengthBytes = Math.min(this.#limits.chunkBytes, this.#source.sizeBytes - offset)
          this.#networkLimited = true
          // Chunks reclaimed from a stalled stream while waiting go first: they are what the window waits on.
          if (!(await this.#windowOpen(lengthBytes))) continue
          // The window has room and the next chunk is not read or encoded yet: the application holds us back.
          if (!pipeline.ready) this.#appLimited()
          const chunk = await this.#gate.until(pipeline.next())
          if (!chunk) break
          this.#networkLimited = true
          hash.update(chunk.bytes)
          const { offsetBytes, bytes, wire, encoded } = chunk
          // Only the wire bytes are kept for a resend: the original bytes of an encoded chunk are dropped here.
          await this.#sendChunk({ offsetBytes, sizeBytes: bytes.byteLength, wire, encoded })
          offset += chunk.bytes.byteLength
          this.#sentBytes = offset
          this.#progress()
        }
      } finally {
        pipeline.close()
      }
      // Everything is on the wire: until the next transfer, what this one sends is resends only.
      this.#appLimited()
      // Everything was sent once; keep resending what lost streams dropped until all of it is acknowledged.
      while (this.#ackedBytes < this.#source.sizeBytes) {
        this.#check()
        if (this.#ledger.resendPending) await this.#resendLost()
        else await this.#waitOrReclaim()
      }
      const digest = hash.text()
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
      releaseLoop?.()
      signal?.removeEventListener('abort', onAbort)
      this.#networkLimited = false
      this.#ledger.abandon()
    }
  }

  /**
   * Whether this transfer is held back by the network: it has a chunk ready and waits only on the window, a
   * stream with room or the pacer. False while it waits on its source or encoder, before it is accepted and
   * after it sent its last chunk: the session's sender is application-limited when no transfer is held back.
   */
  get networkLimited(): boolean {
    return this.#networkLimited
  }

  #appLimited(): void {
    this.#networkLimited = false
    this.#ctx.onAppLimited?.()
  }

  /** Handles a control frame addressed to this transfer. */
  handle(frame: SessionFrame): void {
    switch (frame.type) {
      case 'transfer-accept':
        // The receiver's reorder buffer bounds what may be in flight.
        this.#windowBytes = Math.max(1, Math.min(this.#limits.maxInFlightBytes, frame.windowBytes))
        this.#outOfOrder = frame.outOfOrder === true
        this.#chunks.outOfOrder = this.#outOfOrder
        this.#acceptance?.resolve(Math.max(0, Math.min(frame.resumeOffsetBytes, this.#source.sizeBytes)))
        return
      case 'transfer-reject':
        this.fail(new TransferRejectedError(this.id, frame.reason))
        return
      case 'ack':
        if (!this.#outOfOrder) this.#onAck(frame.ackedBytes)
        return
      case 'chunk-ack':
        if (this.#outOfOrder) this.#onChunkAck(frame.offsetBytes)
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

  /** A stream died (or stalled): what it carried unacknowledged is sent again on the other streams. */
  streamLost(stream: FrameStream): void {
    if (this.#ledger.reclaim(stream) > 0) this.#wake?.()
  }

  /** Fails the transfer (session closed, abort, peer verdict). */
  fail(error: Error, _local = false): void {
    if (this.#failure) return
    this.#failure = error
    this.#gate.fail(error)
    this.#acceptance?.reject(error)
    this.#verdict?.reject(error)
    this.#wake?.()
  }

  #onAck(ackedBytes: number): void {
    if (ackedBytes <= this.#ackedBytes || ackedBytes > this.#sentBytes) return
    this.#ackedBytes = ackedBytes
    this.#ledger.ackPrefix(ackedBytes)
    this.#acknowledged()
  }

  /** An out-of-order receiver wrote the chunk at `offsetBytes`; a repeated acknowledgement counts once. */
  #onChunkAck(offsetBytes: number): void {
    const sizeBytes = this.#ledger.ackChunk(offsetBytes)
    if (sizeBytes === 0) return
    this.#ackedBytes += sizeBytes
    this.#acknowledged()
  }

  #acknowledged(): void {
    this.#stall.progressed(this.#ctx.clock.now())
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

  /**
   * Sends one chunk on a stream with room, recording it (and its wire bytes) as in flight there. A stream that
   * reports congestion is not waited on: the write is queued and the loop goes on to the next stream, so one
   * stream in loss recovery does not stall the others (its chunks wait in its own queue, bounded by its window).
   */
  async #sendChunk(chunk: WireChunk): Promise<void> {
    const { offsetBytes, sizeBytes, wire, encoded } = chunk
    // Windows count the object's bytes (what acknowledgements name); the pacer and the counters the wire's.
    const stream = await this.#pickStream(this.#streamCursor++, sizeBytes)
    const record = this.#ctx.delivery?.sent(wire.byteLength, this.#ctx.clock.now())
    this.#ledger.sent(chunk, stream, record)
    await this.#gate.until(this.#ctx.pace(wire.byteLength))
    const frame: SessionFrame = encoded
      ? { type: 'chunk', id: this.id, offsetBytes, bytes: wire, encoded: true }
      : { type: 'chunk', id: this.id, offsetBytes, bytes: wire }
    const written = stream.write(frame).then(
      () => this.#ctx.onBytesSent(wire.byteLength),
      // The stream died under the write; its provider reports the loss and the chunk is resent from there.
      () => {
        if (!this.#failure) this.streamLost(stream)
      },
    )
    if (stream.congested === undefined) await this.#gate.until(written)
  }

  /**
   * Sends again the chunks of lost or stalled streams, byte for byte as they went the first time: never read
   * from the source or encoded again, since the source may have changed meanwhile and the receiver keeps
   * whichever copy lands first, which must be the one the digest covers.
   */
  async #resendLost(): Promise<void> {
    for (let chunk = this.#ledger.nextResend(); chunk; chunk = this.#ledger.nextResend()) {
      this.#check()
      if (!this.#outOfOrder && chunk.endBytes <= this.#ackedBytes) continue
      await this.#sendChunk(chunk)
    }
  }

  /**
   * Waits until the receiver's reorder window has room for `lengthBytes` more past the acknowledgement (it
   * buffers what lies between the acknowledged offset and the newest chunk). Returns false, without waiting
   * further, when chunks were queued for resending meanwhile.
   */
  async #windowOpen(lengthBytes: number): Promise<boolean> {
    for (;;) {
      this.#check()
      const ahead = this.#sentBytes - this.#ackedBytes
      if (ahead === 0 || ahead + lengthBytes <= this.#windowBytes) return true
      if (this.#ledger.resendPending) return false
      await this.#waitOrReclaim()
    }
  }

  /**
   * Waits for an acknowledgement; if none comes within the stall threshold, reclaims the chunks of the stream
   * that holds the lowest unacknowledged chunk (see {@link StallDetector}).
   */
  async #waitOrReclaim(): Promise<void> {
    const nowMs = this.#ctx.clock.now()
    const remainingMs = this.#stall.remainingMs(nowMs)
    if (remainingMs > 0) return this.#sleep(remainingMs)
    const head = this.#ledger.head()
    if (!head || this.#ctx.streams().length < 2) {
      // Nothing to move, or nowhere to move it: keep waiting.
      this.#stall.progressed(nowMs)
      return this.#sleep(this.#stall.stallMs)
    }
    this.#stall.reclaimed(head.stream, nowMs)
    this.streamLost(head.stream)
  }

  /** Sleeps until woken (an acknowledgement, a lost stream, a failure) or, if given, `timeoutMs` passed. */
  #sleep(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : this.#ctx.clock.setTimeout(() => wake(), timeoutMs)
      const wake = (): void => {
        if (timer !== undefined) this.#ctx.clock.clearTimeout(timer)
        if (this.#wake === wake) this.#wake = undefined
        resolve()
      }
      this.#wake = wake
    })
  }

  /**
   * Waits until some stream has room for `sizeBytes` more unacknowledged bytes; prefers the round-robin stream,
   * skips streams that report congestion or recently stalled, and when every stream with room is congested
   * waits for the first to drain. A stalled stream is used only when no other stream has room.
   */
  async #pickStream(cursor: number, sizeBytes: number): Promise<FrameStream> {
    for (;;) {
      this.#check()
      const streams = this.#ctx.streams()
      const nowMs = this.#ctx.clock.now()
      const congested: FrameStream[] = []
      let stalled: FrameStream | undefined
      for (let i = 0; i < streams.length; i++) {
        const stream = streams[(cursor + i) % streams.length] as FrameStream
        const used = this.#ledger.streamBytes(stream)
        if (used > 0 && used + sizeBytes > this.#limits.maxInFlightBytesPerStream) continue
        if (this.#stall.avoided(stream, nowMs)) stalled ??= stream
        else if (stream.congested) congested.push(stream)
        else return stream
      }
      if (stalled && congested.length === 0) return stalled
      const drained = congested.map((stream) => stream.whenWritable?.() ?? Promise.resolve())
      await Promise.race([this.#sleep(), ...drained])
    }
  }
}
