import { createHash, type Hash } from 'node:crypto'

/** Prefix of a transfer delivered in order: sha256 of the bytes. */
export const IN_ORDER_DIGEST_PREFIX = 'sha256:'
/**
 * Prefix of a transfer delivered out of order: sha256 of the list of each chunk's sha256, in offset order (a
 * hash list, as BitTorrent keeps per piece). Each chunk can be hashed where and when it lands, and the list
 * is still bound to every byte and to the order of the chunks.
 */
export const CHUNK_LIST_DIGEST_PREFIX = 'sha256-list:'

/** The end-to-end digest of a transfer, fed one chunk at a time in offset order. */
export interface TransferDigest {
  /** Adds the next chunk (in offset order). */
  update(bytes: Uint8Array): void
  /** The digest as text, with its prefix. */
  text(): string
}

/** The digest a sender computes, reading its source in order. */
export function transferDigest(outOfOrder: boolean): TransferDigest {
  const hash = createHash('sha256')
  if (!outOfOrder)
    return {
      update: (bytes) => hash.update(bytes),
      text: () => IN_ORDER_DIGEST_PREFIX + hash.digest('hex'),
    }
  return {
    update: (bytes) => hash.update(createHash('sha256').update(bytes).digest()),
    text: () => CHUNK_LIST_DIGEST_PREFIX + hash.digest('hex'),
  }
}

/**
 * The receiver's side of a chunk-list digest: chunks are hashed as they are written, in any order, and folded
 * into the list once every chunk before them has been. Holds 32 bytes per chunk written ahead of the prefix.
 */
export class ChunkListFolder {
  readonly #list: Hash = createHash('sha256')
  readonly #ahead = new Map<number, { endBytes: number; digest: Buffer }>()
  #prefixBytes: number

  constructor(prefixBytes = 0) {
    this.#prefixBytes = prefixBytes
  }

  /** Bytes from offset 0 that are written and folded. */
  get prefixBytes(): number {
    return this.#prefixBytes
  }

  /** Whether the chunk at `offsetBytes` is already written (in the prefix or ahead of it). */
  has(offsetBytes: number): boolean {
    return offsetBytes < this.#prefixBytes || this.#ahead.has(offsetBytes)
  }

  /** Records the written chunk at `offsetBytes` and folds what became contiguous. */
  add(offsetBytes: number, bytes: Uint8Array): void {
    const digest = createHash('sha256').update(bytes).digest()
    this.#ahead.set(offsetBytes, { endBytes: offsetBytes + bytes.byteLength, digest })
    for (let next = this.#ahead.get(this.#prefixBytes); next; next = this.#ahead.get(this.#prefixBytes)) {
      this.#ahead.delete(this.#prefixBytes)
      this.#list.update(next.digest)
      this.#prefixBytes = next.endBytes
    }
  }

  /** Forgets the chunks written ahead of the prefix (they will be sent again). */
  dropAhead(): void {
    this.#ahead.clear()
  }

  /** The digest text; call once, after the whole object is folded. */
  text(): string {
    return CHUNK_LIST_DIGEST_PREFIX + this.#list.digest('hex')
  }
}
