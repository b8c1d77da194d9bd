/**
 * The bounded index of chunks a peer holds, keyed by strong hash. The sender keeps only the hashes (to know what
 * it may reference), the receiver keeps the content (to resolve references). Both evict first-in, first-out,
 * driven only by the sequence of recorded chunks and the bounds, so two indexes with the same bounds that record
 * the same chunks in the same order hold the same hashes at every step: a sender never references a chunk its
 * receiver has evicted.
 */
import { InvalidArgumentError } from '@dwcp/core'
import { hashKey } from './strong-hash.js'

/** Default bound on the number of chunks an index holds. */
export const DEFAULT_DEDUP_INDEX_MAX_ENTRIES = 16_384

/**
 * Default bound on the bytes of chunk content an index accounts for: 256 MiB, which the receiver holds in
 * memory (the sender holds only hashes but counts the same bytes, to evict the same entries).
 */
export const DEFAULT_DEDUP_INDEX_MAX_BYTES = 256 * 1024 * 1024

/** Bounds of a {@link DedupIndex}. Sender and receiver must use the same values. */
export interface DedupIndexOptions {
  /**
   * Most chunks held; recording one more evicts the oldest.
   * @default DEFAULT_DEDUP_INDEX_MAX_ENTRIES (16 384)
   */
  maxEntries?: number
  /**
   * Most chunk bytes accounted for; recording past it evicts the oldest chunks until it fits. A chunk larger than
   * this is never recorded.
   * @default DEFAULT_DEDUP_INDEX_MAX_BYTES (256 MiB)
   */
  maxBytes?: number
}

/** Options of the {@link DedupIndex} constructor. */
export interface DedupIndexInit extends DedupIndexOptions {
  /**
   * Whether to keep each chunk's content (the receiver's side) or only its hash and size (the sender's side).
   * @default false
   */
  retainContent?: boolean
}

/** What the index keeps per chunk. */
interface Entry {
  sizeBytes: number
  content: Uint8Array | undefined
}

/**
 * A FIFO-bounded map from a chunk's strong hash to the chunk (or to the fact that the peer holds it).
 *
 * Recording a hash that is already held changes nothing, not even its age: the order of eviction is the order of
 * first recording, which both peers see identically.
 */
export class DedupIndex {
  /** Most chunks held. */
  readonly maxEntries: number
  /** Most chunk bytes accounted for. */
  readonly maxBytes: number
  /** Whether chunk content is kept. */
  readonly retainContent: boolean
  // A Map iterates in insertion order and keys are never re-inserted, so its first key is the oldest entry.
  readonly #entries = new Map<string, Entry>()
  #sizeBytes = 0

  /**
   * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) when `maxEntries` is not a positive integer or
   *   `maxBytes` is not a non-negative integer
   */
  constructor(init: DedupIndexInit = {}) {
    const {
      maxEntries = DEFAULT_DEDUP_INDEX_MAX_ENTRIES,
      maxBytes = DEFAULT_DEDUP_INDEX_MAX_BYTES,
      retainContent = false,
    } = init
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new InvalidArgumentError('maxEntries', `${maxEntries} is not a positive integer`)
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new InvalidArgumentError('maxBytes', `${maxBytes} is not a non-negative integer`)
    }
    this.maxEntries = maxEntries
    this.maxBytes = maxBytes
    this.retainContent = retainContent
  }

  /** Number of chunks held. */
  get entryCount(): number {
    return this.#entries.size
  }

  /** Sum of the sizes of the chunks held, in bytes. */
  get sizeBytes(): number {
    return this.#sizeBytes
  }

  /** Whether the chunk with this strong hash is held. */
  has(hash: Uint8Array): boolean {
    return this.#entries.has(hashKey(hash))
  }

  /** Size in bytes of the chunk with this strong hash, if held. */
  sizeOf(hash: Uint8Array): number | undefined {
    return this.#entries.get(hashKey(hash))?.sizeBytes
  }

  /**
   * The content of the chunk with this strong hash, if held and the index retains content. The returned bytes
   * belong to the index: copy them before handing them to code that may write to them.
   */
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#entries.get(hashKey(hash))?.content
  }

  /**
   * Records a chunk under its strong hash, then evicts the oldest chunks until both bounds hold. Does nothing
   * when the hash is already held or the chunk alone exceeds `maxBytes`. With `retainContent`, keeps a copy of
   * `chunk`, so the caller may reuse its buffer.
   *
   * @returns whether the chunk was added
   */
  record(hash: Uint8Array, chunk: Uint8Array): boolean {
    const key = hashKey(hash)
    if (chunk.length > this.maxBytes || this.#entries.has(key)) return false
    // Copied through the constructor, since slice() on a Node.js Buffer would return a view.
    const content = this.retainContent ? new Uint8Array(chunk) : undefined
    this.#entries.set(key, { sizeBytes: chunk.length, content })
    this.#sizeBytes += chunk.length
    while (this.#entries.size > this.maxEntries || this.#sizeBytes > this.maxBytes) this.#evictOldest()
    return true
  }

  #evictOldest(): void {
    const oldest = this.#entries.entries().next()
    if (oldest.done === true) return
    const [key, entry] = oldest.value
    this.#entries.delete(key)
    this.#sizeBytes -= entry.sizeBytes
  }
}
