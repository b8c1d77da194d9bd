import {
  type Codec,
  type CodecContext,
  DwcpError,
  FrameTooLargeError,
  TransferFailedError,
  type TransferSource,
} from '@dwcp/core'
import type { TransferDigest } from './transfer-digest.js'

/** What a {@link ChunkSource} is built from. */
export interface ChunkSourceInit {
  /** The transfer's id, for errors. */
  transferId: string
  /** The object being sent. */
  source: TransferSource
  /** The transfer's signal, passed to every read. */
  signal?: AbortSignal
  /** Encodes chunks when set. */
  codec?: Codec
  /** The context of each encoding, read before each chunk. */
  codecContext: () => CodecContext
  /** Largest codec frame of one chunk a peer accepts. */
  maxEncodedBytes: number
}

/**
 * The sender's view of its source: chunks read one at a time and checked, completed when they must be whole,
 * and encoded when the transfer has a codec.
 */
export class ChunkSource {
  readonly #init: ChunkSourceInit
  /** The tail of the source's reads: they go one at a time (a source need not take concurrent reads). */
  #reads: Promise<unknown> = Promise.resolve()
  /** Set once the receiver runs the transfer out of order: its chunks must sit at multiples of the size. */
  outOfOrder = false

  constructor(init: ChunkSourceInit) {
    this.#init = init
  }

  /** Whether chunks travel as codec frames. */
  get encoding(): boolean {
    return this.#init.codec !== undefined
  }

  /**
   * Reads `lengthBytes` at `offset`. In order, a source may return fewer; out of order, chunks must sit at
   * multiples of the chunk size (the receiver checks), and an encoded chunk must decode to the whole chunk the
   * receiver expects at its offset, so a short read is completed here.
   */
  async read(offset: number, lengthBytes: number): Promise<Uint8Array> {
    const first = await this.#readSome(offset, lengthBytes)
    if (!(this.outOfOrder || this.encoding) || first.byteLength === lengthBytes) return first
    const whole = new Uint8Array(lengthBytes)
    whole.set(first)
    for (let filled = first.byteLength; filled < lengthBytes; ) {
      const more = await this.#readSome(offset + filled, lengthBytes - filled)
      whole.set(more, filled)
      filled += more.byteLength
    }
    return whole
  }

  /**
   * What goes on the wire for `bytes`: the bytes themselves without a codec, else the codec's frame of them,
   * encoded in the context read now (so that a new forecast applies from the next chunk on).
   */
  async encode(bytes: Uint8Array): Promise<Uint8Array> {
    const { codec, transferId, maxEncodedBytes } = this.#init
    if (!codec) return bytes
    let frame: unknown
    try {
      frame = (await codec.encode(bytes, this.#init.codecContext()))?.frame
    } catch (error) {
      throw error instanceof DwcpError
        ? error
        : new TransferFailedError(transferId, `codec ${codec.name} could not encode a chunk`, error)
    }
    if (!(frame instanceof Uint8Array) || frame.byteLength === 0)
      throw new TransferFailedError(transferId, `codec ${codec.name} returned no frame`)
    // A frame above the peer's bound would close the stream it went on, and its resend would do so again.
    if (frame.byteLength > maxEncodedBytes) throw new FrameTooLargeError(frame.byteLength, maxEncodedBytes)
    return frame
  }

  /** Feeds the object's first `endBytes` to `hash` (a resumed transfer's digest covers them too). */
  async hashPrefix(hash: TransferDigest, endBytes: number, chunkBytes: number): Promise<void> {
    for (let offset = 0; offset < endBytes; ) {
      const bytes = await this.read(offset, Math.min(chunkBytes, endBytes - offset))
      hash.update(bytes)
      offset += bytes.byteLength
    }
  }

  async #readSome(offset: number, lengthBytes: number): Promise<Uint8Array> {
    const { source, signal, transferId } = this.#init
    const read = this.#reads.then(() => source.read(offset, lengthBytes, signal))
    this.#reads = read.catch(() => {})
    let bytes: Uint8Array
    try {
      bytes = await read
    } catch (error) {
      throw new TransferFailedError(transferId, `source read at ${offset} failed`, error)
    }
    if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0 || bytes.byteLength > lengthBytes)
      throw new TransferFailedError(
        transferId,
        `source returned ${bytes?.byteLength} bytes at ${offset}, asked ${lengthBytes}`,
      )
    return bytes
  }
}
