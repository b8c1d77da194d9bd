/**
 * The `delta` codec: page-granular delta encoding for iterative pre-copy. Round 1 of a migration sends every
 * page (as `zero`, `zstd` or `none`); later rounds send changed pages as a difference from the version the
 * receiver already holds (`same`, `xbzrle` or `zstd-delta`), and both sides then keep the new version as the
 * page's baseline.
 */
import {
  type BaselineStore,
  type Codec,
  type CodecComponents,
  type CodecContext,
  type CodecFactory,
  type EncodedChunk,
  FrameTooLargeError,
  InvalidArgumentError,
  isDwcpError,
  METRIC_NAMES,
} from '@dwcp/core'
import { encodeMetrics } from '../encode-metrics.js'
import { DEFAULT_MAX_CHUNK_BYTES } from '../none-codec.js'
import { checkChunkId, pageBaselineId } from './baseline-name.js'
import { DELTA_HIT_ALGORITHMS, decodePage, type EncodedPage, encodePage } from './delta-page.js'
import { END_FRAME, joinPageFrames, splitPageFrames } from './page-frames.js'
import { checkZstdLevel } from './zstd-page.js'

/** Default page size: 4 KiB, the page size of x86-64 and most arm64 guests. */
export const DEFAULT_DELTA_PAGE_BYTES = 4096

/** Default zstd level of `zstd-delta` and `zstd` pages: zstd's own default, fast enough for every mode. */
export const DEFAULT_DELTA_LEVEL = 3

/** Options of {@link deltaCodec}. */
export interface DeltaCodecInit {
  /**
   * Page size in bytes: a chunk is cut into pages of this size (the last one may be shorter), and each page is
   * encoded, named and kept as a baseline on its own. Both sides must use the same value.
   * @default DEFAULT_DELTA_PAGE_BYTES (4096)
   */
  pageBytes?: number
  /**
   * zstd level of `zstd-delta` and `zstd` pages, from -128 (fastest that a frame can carry) to 22.
   * @default DEFAULT_DELTA_LEVEL (3)
   */
  level?: number
  /**
   * Largest chunk, in bytes, the codec encodes and the largest a sequence of frames may announce to `decode`.
   * @default DEFAULT_MAX_CHUNK_BYTES (64 MiB)
   */
  maxChunkBytes?: number
}

/**
 * The delta codec in the two-step factory style: `deltaCodec(init)(components)` → `Codec` named `delta`.
 *
 * A chunk is cut into pages of `pageBytes` (the last one may be shorter) and encodes to one frame per page,
 * concatenated in page order and closed by an end frame (a `none` frame of 0 bytes), so that a chunk cut at a
 * frame boundary is detected. Page `i` of the chunk with id `context.baselineId` has the
 * baseline id `${baselineId}/${i}`; a delta frame names that id plus the CRC32C of the baseline it was computed
 * against (`${baselineId}/${i}@1c2d3e4f`), so the receiver refuses a delta against any other version.
 *
 * Each page becomes, cheapest first: `zero` (all zeros, empty payload), `same` (equal to its baseline, empty
 * payload), the smaller of `xbzrle` and `zstd-delta` (when smaller than the page), else plain `zstd` (one zstd
 * frame of the page at `level`) or `none` when zstd does not shrink it. Without `context.baselineId` and
 * `context.baselines` no delta is tried and no baseline is kept.
 *
 * After encoding (sender) and after decoding (receiver) every page of the chunk is `put` as the new baseline of
 * its id, after the whole chunk succeeded and in page order, so both stores see the same puts as long as both
 * sides process chunks in the same order. The store must copy what it keeps (`boundedBaselineStore` does).
 * Decoding needs the same `context.baselineId` the sender used and fails with `DWCP_ERR_FRAME_CORRUPT` when a
 * frame names a baseline that is not held ("baseline X is not held") or a version that is not the one held.
 *
 * With `metrics` wired: `dwcp_hde_bytes_original_total` and `dwcp_hde_bytes_compressed_total` (frame bytes,
 * header included) labelled `{ algorithm }` per page, `dwcp_hde_compression_ratio` per algorithm from this
 * codec's running totals of the two, and `dwcp_hde_delta_hit_rate`, the fraction of pages sent
 * as `same`, `xbzrle`, `zstd-delta` or `zero` among the pages that had a baseline, since the codec was created.
 *
 * @example
 * ```ts
 * import { silentLogger } from '@dwcp/core'
 * import { boundedBaselineStore, deltaCodec } from '@dwcp/hde'
 *
 * const codec = deltaCodec()({ logger: silentLogger() })
 * const sender = { mode: 'internet', baselineId: 'vm-1/mem/0', baselines: boundedBaselineStore({ maxBytes: 1 << 26 }) } as const
 * const receiver = { ...sender, baselines: boundedBaselineStore({ maxBytes: 1 << 26 }) }
 * const page = new Uint8Array(4096).fill(1)
 * await codec.decode((await codec.encode(page, sender)).frame, receiver) // round 1: zstd
 * page[100] = 2
 * const round2 = await codec.encode(page, sender) // xbzrle, a few bytes of payload
 * await codec.decode(round2.frame, receiver) // equals page
 * ```
 *
 * @throws InvalidArgumentError when an option is outside its domain
 */
export function deltaCodec(init: DeltaCodecInit = {}): CodecFactory {
  const {
    pageBytes = DEFAULT_DELTA_PAGE_BYTES,
    level = DEFAULT_DELTA_LEVEL,
    maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES,
  } = init
  if (!Number.isSafeInteger(pageBytes) || pageBytes < 1 || pageBytes > 0xffff_ffff) {
    throw new InvalidArgumentError('pageBytes', `${pageBytes} is not an integer in 1..${0xffff_ffff}`)
  }
  checkZstdLevel(level)
  if (!Number.isSafeInteger(maxChunkBytes) || maxChunkBytes < 0) {
    throw new InvalidArgumentError('maxChunkBytes', `${maxChunkBytes} is not a non-negative integer`)
  }

  return (components: CodecComponents): Codec => {
    const logger = components.logger.child({ component: 'hde', codec: 'delta' })
    const recorded = encodeMetrics(components.metrics)
    const hitRateGauge = components.metrics?.gauge(METRIC_NAMES.hdeDeltaHitRate)
    let pagesWithBaseline = 0
    let deltaHits = 0

    function record(
      pages: readonly EncodedPage[],
      sizes: readonly number[],
      hadBaseline: readonly boolean[],
    ) {
      pages.forEach((page, i) => {
        recorded.record(page.algorithm, sizes[i] as number, page.frame.length)
        if (hadBaseline[i]) {
          pagesWithBaseline++
          if (DELTA_HIT_ALGORITHMS.has(page.algorithm)) deltaHits++
        }
      })
      // The end frame is a `none` frame of 0 bytes: counted there, so the ratio stays the wire cost.
      recorded.record('none', 0, END_FRAME.length)
      if (pagesWithBaseline > 0) hitRateGauge?.set(deltaHits / pagesWithBaseline)
    }

    return {
      name: 'delta',

      async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
        if (chunk.length > maxChunkBytes) throw new FrameTooLargeError(chunk.length, maxChunkBytes)
        const pageCount = Math.ceil(chunk.length / pageBytes)
        const { baselineId: chunkId, baselines } = context
        if (chunkId !== undefined) checkChunkId(chunkId, pageCount)
        const pages: EncodedPage[] = []
        const sizes: number[] = []
        const hadBaseline: boolean[] = []
        for (let i = 0; i < pageCount; i++) {
          const page = pageOf(chunk, i, pageBytes)
          const pageId = chunkId === undefined ? undefined : pageBaselineId(chunkId, i)
          const held = pageId === undefined ? undefined : baselines?.get(pageId)
          const baseline = held?.length === page.length ? held : undefined
          pages.push(encodePage(page, pageId, baseline, level))
          sizes.push(page.length)
          hadBaseline.push(baseline !== undefined)
        }
        keepBaselines(chunk, chunkId, baselines, pageCount, pageBytes)
        record(pages, sizes, hadBaseline)
        const encoded: EncodedChunk = {
          frame: joinPageFrames(pages.map((page) => page.frame)),
          algorithm: chunkAlgorithm(pages),
          originalBytes: chunk.length,
        }
        if (chunkId !== undefined && pages.some((page) => page.baselineName !== undefined)) {
          encoded.baselineId = chunkId
        }
        return encoded
      },

      async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
        try {
          const { pages, chunkBytes } = splitPageFrames(frame, pageBytes, maxChunkBytes)
          const { baselineId: chunkId, baselines } = context
          const chunk = new Uint8Array(chunkBytes)
          pages.forEach((decoded, i) => {
            const pageId = chunkId === undefined ? undefined : pageBaselineId(chunkId, i)
            chunk.set(decodePage(decoded, pageId, baselines), i * pageBytes)
          })
          keepBaselines(chunk, chunkId, baselines, pages.length, pageBytes)
          return chunk
        } catch (err) {
          if (isDwcpError(err)) logger.debug({ code: err.code, frameBytes: frame.length }, err.message)
          throw err
        }
      },
    }
  }
}

/** Page `index` of `chunk`: a view, `pageBytes` long except for a shorter last page. */
function pageOf(chunk: Uint8Array, index: number, pageBytes: number): Uint8Array {
  return chunk.subarray(index * pageBytes, Math.min(chunk.length, (index + 1) * pageBytes))
}

/** Puts every page of the chunk as the new baseline of its id, in page order. */
function keepBaselines(
  chunk: Uint8Array,
  chunkId: string | undefined,
  baselines: BaselineStore | undefined,
  pageCount: number,
  pageBytes: number,
): void {
  if (chunkId === undefined || baselines === undefined) return
  for (let i = 0; i < pageCount; i++) baselines.put(pageBaselineId(chunkId, i), pageOf(chunk, i, pageBytes))
}

/** The chunk's algorithm for `EncodedChunk`: the pages' one algorithm, `delta` when they differ. */
function chunkAlgorithm(pages: readonly EncodedPage[]): string {
  const algorithms = new Set(pages.map((page) => page.algorithm))
  if (algorithms.size === 0) return 'none'
  return algorithms.size === 1 ? pages[0]!.algorithm : 'delta'
}
