import { createHash } from 'node:crypto'
import { InvalidArgumentError } from '@dwcp/core'
import xxhash from 'xxhash-wasm'
import { PAGE_BYTES } from './file-workload.js'

/** A 64-bit hash of one page. */
export type PageHash = (page: Uint8Array) => bigint

let loaded: Promise<PageHash> | undefined

/**
 * The page hash both ends of a migration use: XXH64 (seed 0), through a WebAssembly build so it needs no native
 * code: about 1–4 µs per 4 KiB page here, a fraction of what SHA-256 costs a page (per-call overhead dominates
 * at that size). Loaded once.
 */
export function loadPageHash(): Promise<PageHash> {
  loaded ??= xxhash().then((api) => (page: Uint8Array) => api.h64Raw(page))
  return loaded
}

/** Prefix of a {@link PageDigests.digest}: the per-page hash, then how the table is summed up. */
export const PAGE_DIGEST_PREFIX = 'pages-xxh64-sha256:'

/**
 * A hash of every page of an image as last written (target) or sent (source), kept as pages go by, so that the
 * two images are compared at the end by hashing this table (8 bytes per page: 4 MiB for a 2 GiB image, a few
 * milliseconds) instead of reading and hashing both images while the workload is paused.
 */
export class PageDigests {
  readonly #table: BigUint64Array
  readonly #hash: PageHash

  /**
   * @param pageCount - pages of the image
   * @param hash - from {@link loadPageHash}
   * @param initial - the content every page starts with (a new image file reads as zeros); none: each page
   *   must be recorded before the table means anything
   */
  constructor(pageCount: number, hash: PageHash, initial?: Uint8Array) {
    this.#table = new BigUint64Array(pageCount)
    this.#hash = hash
    if (initial) this.#table.fill(hash(initial))
  }

  /** Records whole pages, from `firstPage`, as they are now: `bytes` holds a multiple of 4096 bytes. */
  set(firstPage: number, bytes: Uint8Array): void {
    if (bytes.byteLength % PAGE_BYTES !== 0)
      throw new InvalidArgumentError('bytes', `${bytes.byteLength} bytes are not whole pages`)
    const count = bytes.byteLength / PAGE_BYTES
    if (!Number.isInteger(firstPage) || firstPage < 0 || firstPage + count > this.#table.length)
      throw new InvalidArgumentError('firstPage', `pages ${firstPage}+${count} are outside the image`)
    for (let i = 0; i < count; i++)
      this.#table[firstPage + i] = this.#hash(bytes.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES))
  }

  /** SHA-256 of the table, as `pages-xxh64-sha256:<hex>`. */
  digest(): string {
    const bytes = new Uint8Array(this.#table.buffer, this.#table.byteOffset, this.#table.byteLength)
    return `${PAGE_DIGEST_PREFIX}${createHash('sha256').update(bytes).digest('hex')}`
  }
}

/**
 * The {@link PageDigests.digest} of a whole image read through `read(offset, length)` (4 MiB at a time): what
 * both ends of a migration compare, computed from a file (to check a moved image, or in tests).
 */
export async function imagePageDigest(
  sizeBytes: number,
  read: (offsetBytes: number, lengthBytes: number) => Uint8Array,
): Promise<string> {
  const digests = new PageDigests(sizeBytes / PAGE_BYTES, await loadPageHash())
  const step = 4 * 1024 * 1024
  for (let offset = 0; offset < sizeBytes; offset += step)
    digests.set(offset / PAGE_BYTES, read(offset, Math.min(step, sizeBytes - offset)))
  return digests.digest()
}
