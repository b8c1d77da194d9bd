/** A chunk read from the source and made ready for the wire. */
export interface PreparedChunk {
  /** Where the chunk sits in the object. */
  offsetBytes: number
  /** The original bytes: what the digest covers and what windows and acknowledgements count. */
  bytes: Uint8Array
  /** What goes on the wire: the bytes themselves, or the codec's frame of them when `encoded`. */
  wire: Uint8Array
  /** Whether `wire` is a codec frame. */
  encoded: boolean
}

/** What a {@link ChunkPipeline} is built from. */
export interface ChunkPipelineInit {
  /** First offset to read. */
  startBytes: number
  /** Size of the object: reading stops there. */
  endBytes: number
  /** Most bytes asked of one read. */
  chunkBytes: number
  /** Chunks kept ready ahead of the sender (read, and encoding or encoded). */
  depthChunks: number
  /** Reads the chunk at `offsetBytes` (it may be shorter than asked, never empty). */
  read: (offsetBytes: number, lengthBytes: number) => Promise<Uint8Array>
  /** Encodes a chunk into its codec frame; absent when chunks travel as they are. */
  encode?: (bytes: Uint8Array) => Promise<Uint8Array>
}

interface Slot {
  offsetBytes: number
  bytes: Uint8Array
  wire: Promise<Uint8Array>
  settled: boolean
}

/**
 * Reads a transfer's chunks in order a few ahead of the sender and starts encoding each as soon as it is read,
 * so that reading and encoding the next chunks overlap with sending the current one instead of stopping the
 * stripe between chunks. At most `depthChunks` chunks wait ready; reads go one at a time, in offset order (a short
 * read decides where the next one starts).
 */
export class ChunkPipeline {
  readonly #init: ChunkPipelineInit
  readonly #slots: Slot[] = []
  #failure: unknown
  #done = false
  #closed = false
  #wakeConsumer: (() => void) | undefined
  #wakeProducer: (() => void) | undefined

  constructor(init: ChunkPipelineInit) {
    this.#init = init
    void this.#produce()
  }

  /** Whether the next chunk can be taken without waiting on the source or the encoder. */
  get ready(): boolean {
    const head = this.#slots[0]
    return head !== undefined ? head.settled : this.#failure !== undefined || this.#done
  }

  /** The next chunk in offset order, or undefined past the end. Rejects with the read's or the encoder's error. */
  async next(): Promise<PreparedChunk | undefined> {
    for (;;) {
      const slot = this.#slots.shift()
      if (slot) {
        this.#wakeProducer?.()
        const wire = await slot.wire
        return {
          offsetBytes: slot.offsetBytes,
          bytes: slot.bytes,
          wire,
          encoded: this.#init.encode !== undefined,
        }
      }
      if (this.#failure !== undefined) throw this.#failure
      if (this.#done) return undefined
      await new Promise<void>((resolve) => {
        this.#wakeConsumer = resolve
      })
    }
  }

  /** Stops reading ahead; chunks already read are dropped. */
  close(): void {
    this.#closed = true
    this.#slots.length = 0
    this.#wakeProducer?.()
  }

  async #produce(): Promise<void> {
    const { endBytes, chunkBytes, depthChunks, read, encode } = this.#init
    try {
      for (let offset = this.#init.startBytes; offset < endBytes && !this.#closed; ) {
        while (this.#slots.length >= depthChunks && !this.#closed)
          await new Promise<void>((resolve) => {
            this.#wakeProducer = resolve
          })
        if (this.#closed) break
        const bytes = await read(offset, Math.min(chunkBytes, endBytes - offset))
        if (this.#closed) break
        const slot: Slot = {
          offsetBytes: offset,
          bytes,
          wire: encode ? encode(bytes) : Promise.resolve(bytes),
          settled: encode === undefined,
        }
        // The consumer may never take it (the transfer failed): its rejection must not go unhandled.
        slot.wire.then(
          () => {
            slot.settled = true
          },
          () => {
            slot.settled = true
          },
        )
        this.#slots.push(slot)
        this.#wakeConsumer?.()
        offset += bytes.byteLength
      }
      this.#done = true
    } catch (error) {
      this.#failure = error
    }
    this.#wakeConsumer?.()
  }
}
