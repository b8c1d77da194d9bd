import { createHash } from 'node:crypto'

/** Bytes of each page hash kept: 8 (a changed page goes unnoticed with probability 2^-64). */
const KEPT_BYTES = 8

/**
 * One short hash per page, for finding pages changed by writers a workload does not see. SHA-1 runs on the
 * CPU's SHA extensions; only its first 8 bytes are kept, 8 bytes of memory per 4 KiB page (2 MiB per GiB).
 */
export class PageHashes {
  readonly #hashes: Uint8Array
  readonly #known: Uint8Array

  constructor(pageCount: number) {
    this.#hashes = new Uint8Array(pageCount * KEPT_BYTES)
    this.#known = new Uint8Array(pageCount)
  }

  /** Records the hash of `bytes` as page `page`'s. */
  record(page: number, bytes: Uint8Array): void {
    this.#hashes.set(hashOf(bytes), page * KEPT_BYTES)
    this.#known[page] = 1
  }

  /** Whether `bytes` hash to the recorded hash of `page` (false when none was recorded). */
  matches(page: number, bytes: Uint8Array): boolean {
    if (this.#known[page] !== 1) return false
    const hash = hashOf(bytes)
    const at = page * KEPT_BYTES
    for (let i = 0; i < KEPT_BYTES; i++) if (this.#hashes[at + i] !== hash[i]) return false
    return true
  }
}

function hashOf(bytes: Uint8Array): Uint8Array {
  return createHash('sha1').update(bytes).digest().subarray(0, KEPT_BYTES)
}
