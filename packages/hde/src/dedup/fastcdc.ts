/**
 * FastCDC content-defined chunking (Xia et al., "The Design of Fast Content-Defined Chunking for Data
 * Deduplication Based Storage Systems", IEEE TPDS 2020): a gear rolling hash, cut-point skipping below the
 * minimum size, and normalized chunking with a harder mask before the normal size and an easier one after it.
 * Cut points depend only on content, so an insertion moves the cuts near it and leaves the rest in place.
 */
import { type CdcOptions, type CdcParams, resolveCdcOptions } from './cdc-options.js'
import { gear } from './gear.js'

/**
 * Finds where the chunk that starts at `start` ends, looking at `bytes[start .. end)` only: the paper's
 * Algorithm 1 (with normalized chunking) applied to that window, returned as an absolute index.
 *
 * The result depends only on the bytes before it: when the window holds fewer than `maxSizeBytes` bytes and no
 * cut point, the result is `end`, which is the chunk's true end only if `end` is the end of the data. The
 * streaming chunker relies on this to agree with {@link cdcChunks}.
 *
 * As in the paper, the byte whose hash matches the mask begins the next chunk, and the hash restarts at zero at
 * the minimum size, so no byte before it influences the cut.
 *
 * The loops take two bytes per step. The paper's variant of that step (a pre-shifted table tested against
 * `mask << 1`) drops the hash's top bit, which our masks use, so it would cut elsewhere; plain unrolling keeps
 * every step identical to the one-byte loop and still runs about 1.5 times as fast.
 *
 * @param start - index of the chunk's first byte; `0 <= start <= end`
 * @param end - index just after the last byte available; `end <= bytes.length`
 * @returns the index just after the chunk's last byte, in `start + 1 .. end` (or `end` when `start === end`)
 */
export function findCutPoint(bytes: Uint8Array, start: number, end: number, params: CdcParams): number {
  const { minSizeBytes, averageSizeBytes, maxSizeBytes, maskS, maskL } = params
  const available = end - start
  if (available <= minSizeBytes) return end
  const limit = available >= maxSizeBytes ? start + maxSizeBytes : end
  const normal = Math.min(start + averageSizeBytes, limit)
  const table = gear()
  let hash = 0
  let i = start + minSizeBytes
  for (; i + 1 < normal; i += 2) {
    hash = ((hash << 1) + table[bytes[i]!]!) | 0
    if ((hash & maskS) === 0) return i
    hash = ((hash << 1) + table[bytes[i + 1]!]!) | 0
    if ((hash & maskS) === 0) return i + 1
  }
  if (i < normal) {
    hash = ((hash << 1) + table[bytes[i]!]!) | 0
    if ((hash & maskS) === 0) return i
    i++
  }
  for (; i + 1 < limit; i += 2) {
    hash = ((hash << 1) + table[bytes[i]!]!) | 0
    if ((hash & maskL) === 0) return i
    hash = ((hash << 1) + table[bytes[i + 1]!]!) | 0
    if ((hash & maskL) === 0) return i + 1
  }
  if (i < limit) {
    hash = ((hash << 1) + table[bytes[i]!]!) | 0
    if ((hash & maskL) === 0) return i
  }
  return limit
}

/**
 * Cuts `bytes` into content-defined chunks and returns the cut points: the index just after each chunk, in
 * increasing order, the last one equal to `bytes.length` (an empty input has no chunks and returns `[]`).
 * Chunk `k` is `bytes.subarray(cuts[k - 1] ?? 0, cuts[k])`.
 *
 * @example
 * ```ts
 * const cuts = cdcChunks(image, { averageSizeBytes: 16 * 1024, minSizeBytes: 4096, maxSizeBytes: 64 * 1024 })
 * ```
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for options outside their domain
 */
export function cdcChunks(bytes: Uint8Array, options?: CdcOptions): number[] {
  const params = resolveCdcOptions(options)
  const cuts: number[] = []
  let start = 0
  while (start < bytes.length) {
    start = findCutPoint(bytes, start, bytes.length, params)
    cuts.push(start)
  }
  return cuts
}
