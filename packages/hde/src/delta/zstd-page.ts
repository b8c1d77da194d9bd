/**
 * zstd for single pages, with or without the page's baseline as a raw-content dictionary (the `zstd-delta` and
 * `zstd` frame algorithms). Decompression is bounded: the zstd frame must state a content size equal to the size
 * the HDE frame announced (already bounded by the frame decoder), must fill the payload exactly, and is
 * decompressed in one shot into a buffer of exactly that size, so a lying frame fails instead of allocating.
 */
import { FrameCorruptError, InvalidArgumentError } from '@dwcp/core'
import binding from 'zstd-napi/binding.js'

/** Shortest baseline zstd-delta uses: zstd ignores dictionaries under 8 bytes on the compressing side. */
export const ZSTD_DELTA_MIN_BASELINE_BYTES = 8

/** First four bytes of a formatted zstd dictionary (`ZSTD_MAGIC_DICTIONARY`, little-endian). */
const DICTIONARY_MAGIC = [0x37, 0xa4, 0x30, 0xec] as const

/** Lowest level a frame can carry and zstd accepts: the frame's level byte is signed (-128..127). */
export const ZSTD_LEVEL_MIN = Math.max(binding.minCLevel(), -128)

/** Highest zstd level (22). */
export const ZSTD_LEVEL_MAX = binding.maxCLevel()

// One context each, created on first use and reused: calls are synchronous, so they never interleave.
let compressContext: InstanceType<typeof binding.CCtx> | undefined
let decompressContext: InstanceType<typeof binding.DCtx> | undefined

/**
 * Whether zstd-delta is defined against `baseline`. zstd reads a dictionary that starts with its dictionary
 * magic as a formatted dictionary rather than raw content, and ignores one under 8 bytes; neither is the delta
 * this module promises, so such baselines use XBZRLE only (and a zstd-delta frame against one is refused).
 */
export function zstdDeltaApplies(baseline: Uint8Array): boolean {
  if (baseline.length < ZSTD_DELTA_MIN_BASELINE_BYTES) return false
  return !DICTIONARY_MAGIC.every((byte, i) => baseline[i] === byte)
}

/**
 * Checks that `level` is an integer zstd accepts and a frame can carry.
 *
 * @throws InvalidArgumentError otherwise
 */
export function checkZstdLevel(level: number): void {
  if (!Number.isInteger(level) || level < ZSTD_LEVEL_MIN || level > ZSTD_LEVEL_MAX) {
    throw new InvalidArgumentError(
      'level',
      `${level} is not an integer in ${ZSTD_LEVEL_MIN}..${ZSTD_LEVEL_MAX}`,
    )
  }
}

/**
 * Compresses one page into one zstd frame (content size stated, no checksum: the HDE frame has a CRC32C), using
 * `baseline` as a raw-content dictionary when given.
 *
 * @throws InvalidArgumentError when `baseline` is given but {@link zstdDeltaApplies} is false for it
 */
export function compressZstdPage(page: Uint8Array, level: number, baseline?: Uint8Array): Uint8Array {
  if (baseline !== undefined && !zstdDeltaApplies(baseline)) {
    throw new InvalidArgumentError('baseline', 'too short or starts with the zstd dictionary magic')
  }
  compressContext ??= new binding.CCtx()
  const out = new Uint8Array(binding.compressBound(page.length))
  const written =
    baseline === undefined
      ? compressContext.compress(out, page, level)
      : compressContext.compressUsingDict(out, page, baseline, level)
  return out.slice(0, written)
}

/**
 * Decompresses a payload written by {@link compressZstdPage} into exactly `originalBytes` bytes.
 *
 * @param originalBytes - the size the HDE frame announced, already bounded by its decoder
 * @param baseline - the dictionary the payload was compressed with (for `zstd-delta`)
 * @throws FrameCorruptError when the payload is not exactly one zstd frame stating `originalBytes` as its
 *   content size, or fails to decompress to exactly that many bytes
 */
export function decompressZstdPage(
  payload: Uint8Array,
  originalBytes: number,
  baseline?: Uint8Array,
): Uint8Array {
  if (baseline !== undefined && !zstdDeltaApplies(baseline)) {
    throw new FrameCorruptError(
      'zstd-delta against a baseline under 8 bytes or starting with the zstd dictionary magic',
    )
  }
  const contentBytes = zstdCall('zstd frame header', () => binding.getFrameContentSize(payload))
  if (contentBytes === null) throw new FrameCorruptError('zstd frame does not state its content size')
  if (contentBytes !== originalBytes) {
    throw new FrameCorruptError(
      `zstd frame holds ${contentBytes} bytes, the frame announces ${originalBytes}`,
    )
  }
  const frameBytes = zstdCall('zstd frame', () => binding.findFrameCompressedSize(payload))
  if (frameBytes !== payload.length) {
    throw new FrameCorruptError(`${payload.length - frameBytes} bytes after the zstd frame`)
  }
  decompressContext ??= new binding.DCtx()
  const context = decompressContext
  const out = new Uint8Array(originalBytes)
  const written = zstdCall('zstd decompression', () =>
    baseline === undefined
      ? context.decompress(out, payload)
      : context.decompressUsingDict(out, payload, baseline),
  )
  if (written !== originalBytes) {
    throw new FrameCorruptError(`zstd frame decompressed to ${written} bytes, expected ${originalBytes}`)
  }
  return out
}

/** Runs a zstd call on untrusted input, turning its errors into {@link FrameCorruptError}. */
function zstdCall<T>(what: string, call: () => T): T {
  try {
    return call()
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new FrameCorruptError(`${what}: ${reason}`)
  }
}
