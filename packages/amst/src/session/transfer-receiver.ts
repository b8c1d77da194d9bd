import { createHash } from 'node:crypto'
import {
  AbortedError,
  type Clock,
  ComponentAbsentError,
  DigestMismatchError,
  DwcpError,
  FrameCorruptError,
  type IncomingTransfer,
  isDwcpError,
  TransferFailedError,
  type TransferResult,
  type TransferSink,
} from '@dwcp/core'
import type { SessionFrame } from './frames.js'
import { ChunkListFolder } from './transfer-digest.js'

/** What the receiver needs from its session. */
export interface ReceiverContext {
  clock: Clock
  /** Sends a control frame on stream 0. */
  control: (frame: SessionFrame) => Promise<void>
  /** Called once the transfer ended, either way, so the session forgets it. */
  onSettled: () => void
  /** Most bytes that may wait out of order (the sender's window bounds this; we enforce it). */
  maxBufferedBytes: number
  /** Decodes an encoded chunk's codec frame; absent when the session has no chunk decoder. */
  decodeChunk?: (frame: Uint8Array) => Promise<Uint8Array>
}

type Offer = Extract<SessionFrame, { type: 'transfer-offer' }>

/**
 * One incoming bulk transfer: reorders chunks that arrive over several streams, writes them to the sink in
 * order, acknowledges what is written, and checks the end-to-end digest. A positional sink (one that takes
 * writes at any offset) gets each chunk as it lands instead, acknowledged on its own, so a stalled stream
 * holds back only its own chunks; the digest is then the chunk list's.
 */
export class TransferReceiver implements IncomingTransfer {
  readonly id: string
  readonly sizeBytes: number
  readonly metadata: Readonly<Record<string, string>>
  #ctx: ReceiverContext
  readonly #pending = new Map<number, Uint8Array>()
  /** Offsets of encoded chunks being decoded: later copies of them are duplicates. */
  readonly #decoding = new Set<number>()
  /** Moves on when the transfer detaches, so that a decode begun before is dropped when it ends. */
  #epoch = 0
  readonly #hash = createHash('sha256')
  #pendingBytes = 0
  readonly #chunkBytes: number
  /** Set when the sink is positional: chunks are written as they land and hashed into a chunk list. */
  #folder: ChunkListFolder | undefined
  #nextOffsetBytes = 0
  #expectedDigest: string | undefined
  #sink: TransferSink | undefined
  #writing = false
  #writingEndBytes = 0
  #writingOffsetBytes = -1
  #settled = false
  #startedMs = 0
  #result: { resolve: (r: TransferResult) => void; reject: (e: Error) => void } | undefined
  #answered = false
  #detached = false

  constructor(offer: Offer, ctx: ReceiverContext) {
    this.id = offer.id
    this.sizeBytes = offer.sizeBytes
    this.metadata = Object.freeze({ ...offer.metadata })
    this.#chunkBytes = offer.chunkBytes
    this.#ctx = ctx
  }

  /** Whether the application accepted or rejected the offer. */
  get answered(): boolean {
    return this.#answered
  }

  accept(sink: TransferSink, options: { signal?: AbortSignal } = {}): Promise<TransferResult> {
    if (this.#answered)
      return Promise.reject(new TransferFailedError(this.id, 'already accepted or rejected'))
    this.#answered = true
    this.#sink = sink
    if (sink.positional === true) this.#folder = new ChunkListFolder()
    this.#startedMs = this.#ctx.clock.now()
    const done = new Promise<TransferResult>((resolve, reject) => {
      this.#result = { resolve, reject }
    })
    const signal = options.signal
    if (signal) {
      const onAbort = (): void => this.fail(new AbortedError(signal.reason), true)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
      done.then(
        () => signal.removeEventListener('abort', onAbort),
        () => signal.removeEventListener('abort', onAbort),
      )
    }
    if (!this.#settled)
      this.#send({
        type: 'transfer-accept',
        id: this.id,
        resumeOffsetBytes: 0,
        windowBytes: this.#ctx.maxBufferedBytes,
        ...(this.#folder ? { outOfOrder: true } : {}),
      })
    return done
  }

  reject(reason: string): void {
    if (this.#answered) return
    this.#answered = true
    this.#settle()
    this.#send({ type: 'transfer-reject', id: this.id, reason })
  }

  /** The peer node id and object size a resumed offer must match. */
  get nextOffsetBytes(): number {
    return this.#nextOffsetBytes
  }

  /** Whether the transfer is parked, waiting for its sender to reconnect. */
  get detached(): boolean {
    return this.#detached
  }

  /**
   * The session died: keep what was written (sink, digest state, offset) so that a new session can resume.
   * Chunks buffered out of order are dropped; the sender sends them again from the acknowledged offset.
   */
  detach(): boolean {
    if (this.#settled || !this.#answered || !this.#sink) return false
    this.#detached = true
    this.#pending.clear()
    this.#decoding.clear()
    this.#epoch++
    this.#pendingBytes = 0
    this.#expectedDigest = undefined
    this.#folder?.dropAhead()
    return true
  }

  /**
   * Continues on a new session: answers the new offer with the offset already written. A positional transfer
   * offered again with another chunk size starts over, since its digest is a list of chunks.
   */
  resume(ctx: ReceiverContext, offer: Offer): void {
    this.#ctx = ctx
    this.#detached = false
    if (this.#folder && offer.chunkBytes !== this.#chunkBytes) {
      this.#folder = new ChunkListFolder()
      this.#nextOffsetBytes = 0
    }
    this.#send({
      type: 'transfer-accept',
      id: this.id,
      resumeOffsetBytes: this.#nextOffsetBytes,
      windowBytes: this.#ctx.maxBufferedBytes,
      ...(this.#folder ? { outOfOrder: true } : {}),
    })
  }

  /** Handles a frame addressed to this transfer. */
  handle(frame: SessionFrame): void {
    if (this.#settled) return
    switch (frame.type) {
      case 'chunk':
        if (frame.encoded) this.#onEncodedChunk(frame.offsetBytes, frame.bytes)
        else if (this.#admit(frame.offsetBytes, frame.bytes.byteLength))
          this.#buffer(frame.offsetBytes, frame.bytes)
        return
      case 'transfer-end':
        this.#expectedDigest = frame.digest
        this.#maybeFinish()
        return
      case 'transfer-abort':
        this.fail(new TransferFailedError(this.id, `sender aborted: ${frame.reason}`))
        return
      default:
        return
    }
  }

  /** Fails the transfer; `tellSender` sends an abort frame. */
  fail(error: Error, tellSender = false): void {
    if (this.#settled) return
    this.#settle()
    if (tellSender) this.#send({ type: 'transfer-abort', id: this.id, reason: error.message })
    this.#sink?.abort?.(error).catch(() => {})
    this.#result?.reject(error)
  }

  /**
   * Checks a chunk of `lengthBytes` at `offsetBytes` before it is kept: within the object, whole and aligned
   * when out of order, not a duplicate (a duplicate of a written chunk is acknowledged again out of order), and
   * within the reorder window. False when it is not to be kept; a chunk out of bounds fails the transfer.
   */
  #admit(offsetBytes: number, lengthBytes: number): boolean {
    const endBytes = offsetBytes + lengthBytes
    if (!Number.isInteger(offsetBytes) || offsetBytes < 0 || endBytes > this.sizeBytes || lengthBytes === 0) {
      this.fail(
        new TransferFailedError(this.id, `chunk at ${offsetBytes} (${lengthBytes} bytes) is out of range`),
        true,
      )
      return false
    }
    if (this.#folder) {
      // Chunks sit at multiples of the chunk size and are whole, so that no two writes overlap.
      const chunkBytes = this.#chunkBytes
      if (
        offsetBytes % chunkBytes !== 0 ||
        lengthBytes !== Math.min(chunkBytes, this.sizeBytes - offsetBytes)
      ) {
        this.fail(new TransferFailedError(this.id, `chunk at ${offsetBytes} is not a whole chunk`), true)
        return false
      }
      // A duplicate already written is acknowledged again: the first acknowledgement may have died with a stream.
      if (this.#folder.has(offsetBytes)) {
        if (!this.#detached) this.#send({ type: 'chunk-ack', id: this.id, offsetBytes })
        return false
      }
      if (
        this.#pending.has(offsetBytes) ||
        this.#decoding.has(offsetBytes) ||
        this.#writingOffsetBytes === offsetBytes
      )
        return false
    } else if (
      // A duplicate after a resend: already written, being written, being decoded, or already buffered.
      offsetBytes < Math.max(this.#nextOffsetBytes, this.#writingEndBytes) ||
      this.#pending.has(offsetBytes) ||
      this.#decoding.has(offsetBytes)
    )
      return false
    if (this.#pendingBytes > 0 && this.#pendingBytes + lengthBytes > this.#ctx.maxBufferedBytes) {
      this.fail(new TransferFailedError(this.id, 'sender exceeded the reorder window'), true)
      return false
    }
    return true
  }

  /** Keeps an admitted chunk's bytes until the sink takes them. */
  #buffer(offsetBytes: number, bytes: Uint8Array): void {
    this.#pending.set(offsetBytes, bytes)
    this.#pendingBytes += bytes.byteLength
    void this.#drain()
  }

  /**
   * An encoded chunk is the whole chunk at its offset once decoded: admitted as that many bytes (they count
   * against the reorder window while it decodes), then buffered only if the decoder gave exactly those. A
   * failed or wrong decode fails this transfer alone; chunks decoded out of order wait in the reorder buffer
   * like chunks that arrived out of order.
   */
  #onEncodedChunk(offsetBytes: number, frame: Uint8Array): void {
    if (!Number.isSafeInteger(offsetBytes) || offsetBytes < 0 || offsetBytes >= this.sizeBytes) {
      this.fail(new TransferFailedError(this.id, `encoded chunk at ${offsetBytes} is out of range`), true)
      return
    }
    const decode = this.#ctx.decodeChunk
    if (!decode) {
      const reason = `transfer ${this.id} carries encoded chunks and this session has no chunk decoder`
      this.fail(new ComponentAbsentError('chunk decoder', reason), true)
      return
    }
    const expectedBytes = Math.min(this.#chunkBytes, this.sizeBytes - offsetBytes)
    if (!this.#admit(offsetBytes, expectedBytes)) return
    this.#decoding.add(offsetBytes)
    this.#pendingBytes += expectedBytes
    const epoch = this.#epoch
    const stale = (): boolean => this.#settled || epoch !== this.#epoch
    // A decoder that throws instead of rejecting is caught the same way.
    Promise.resolve()
      .then(() => decode(frame))
      .then(
        (bytes) => {
          if (stale()) return
          this.#decoding.delete(offsetBytes)
          this.#pendingBytes -= expectedBytes
          // The interface takes no bound, so the length is checked once decoded: never wrong bytes to the sink.
          if (!(bytes instanceof Uint8Array) || bytes.byteLength !== expectedBytes) {
            const got = bytes instanceof Uint8Array ? `${bytes.byteLength} bytes` : 'no bytes'
            const reason = `chunk at ${offsetBytes} of transfer ${this.id} decoded to ${got}, not ${expectedBytes}`
            this.fail(new FrameCorruptError(reason), true)
            return
          }
          this.#buffer(offsetBytes, bytes)
        },
        (error: unknown) => {
          if (stale()) return
          const reason = `chunk at ${offsetBytes} of transfer ${this.id} does not decode: ${String(error)}`
          this.fail(isDwcpError(error) ? error : new FrameCorruptError(reason), true)
        },
      )
  }

  /** The next chunk to write: in order, the one at the written offset; positional, the oldest arrival. */
  #nextWrite(): [number, Uint8Array] | undefined {
    if (this.#folder) return this.#pending.entries().next().value
    const bytes = this.#pending.get(this.#nextOffsetBytes)
    return bytes ? [this.#nextOffsetBytes, bytes] : undefined
  }

  /** Writes chunks to the sink, one write at a time, acknowledging after each. */
  async #drain(): Promise<void> {
    if (this.#writing || !this.#sink) return
    this.#writing = true
    try {
      for (let next = this.#nextWrite(); next; next = this.#nextWrite()) {
        if (this.#settled) return
        const [offset, bytes] = next
        this.#pending.delete(offset)
        this.#pendingBytes -= bytes.byteLength
        this.#writingOffsetBytes = offset
        this.#writingEndBytes = offset + bytes.byteLength
        try {
          await this.#sink.write(offset, bytes)
        } catch (error) {
          this.fail(new TransferFailedError(this.id, `sink write at ${offset} failed`, error), true)
          return
        } finally {
          this.#writingOffsetBytes = -1
        }
        if (this.#folder) {
          this.#folder.add(offset, bytes)
          this.#nextOffsetBytes = this.#folder.prefixBytes
          if (!this.#detached) this.#send({ type: 'chunk-ack', id: this.id, offsetBytes: offset })
          continue
        }
        this.#hash.update(bytes)
        this.#nextOffsetBytes = offset + bytes.byteLength
        if (!this.#detached) this.#send({ type: 'ack', id: this.id, ackedBytes: this.#nextOffsetBytes })
      }
    } finally {
      this.#writing = false
    }
    this.#maybeFinish()
  }

  #maybeFinish(): void {
    if (this.#settled || this.#writing || this.#expectedDigest === undefined) return
    if (this.#nextOffsetBytes !== this.sizeBytes) return
    const digest = this.#folder ? this.#folder.text() : `sha256:${this.#hash.digest('hex')}`
    if (digest !== this.#expectedDigest) {
      this.fail(new DigestMismatchError(this.id, this.#expectedDigest, digest), true)
      return
    }
    this.#settle()
    const sink = this.#sink
    const finish = async (): Promise<void> => {
      try {
        await sink?.close?.()
      } catch (error) {
        const failure =
          error instanceof DwcpError ? error : new TransferFailedError(this.id, 'sink close failed', error)
        this.#send({ type: 'transfer-abort', id: this.id, reason: failure.message })
        this.#result?.reject(failure)
        return
      }
      this.#send({ type: 'transfer-done', id: this.id, digest })
      this.#result?.resolve({
        id: this.id,
        sizeBytes: this.sizeBytes,
        digest,
        durationMs: this.#ctx.clock.now() - this.#startedMs,
      })
    }
    void finish()
  }

  #settle(): void {
    if (this.#settled) return
    this.#settled = true
    this.#pending.clear()
    this.#decoding.clear()
    this.#pendingBytes = 0
    this.#ctx.onSettled()
  }

  #send(frame: SessionFrame): void {
    this.#ctx.control(frame).catch(() => {})
  }
}
