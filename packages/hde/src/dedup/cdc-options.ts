/**
 * Options of the FastCDC chunker, their validation, and the two judgement masks derived from them. Chunk sizes
 * are part of what sender and receiver must agree on: the same options cut the same bytes at the same places.
 */
import { InvalidArgumentError } from '@dwcp/core'
import { DEFAULT_MAX_CHUNK_BYTES } from '../none-codec.js'

/** Default smallest chunk: 8 KiB. Bytes before it are skipped by the hash (FastCDC's cut-point skipping). */
export const DEFAULT_CDC_MIN_SIZE_BYTES = 8 * 1024

/** Default target (normal) chunk size: 32 KiB. */
export const DEFAULT_CDC_AVERAGE_SIZE_BYTES = 32 * 1024

/** Default largest chunk: 128 KiB. A chunk is cut here if no content-defined cut point came earlier. */
export const DEFAULT_CDC_MAX_SIZE_BYTES = 128 * 1024

/** Default normalization level: NC-2, the level the FastCDC paper recommends. */
export const DEFAULT_CDC_NORMALIZATION_LEVEL = 2

/** Smallest allowed `minSizeBytes`: below it a reference frame (51 bytes) would cost about as much as a chunk. */
export const CDC_MIN_SIZE_LOWER_BOUND_BYTES = 64

/** Largest allowed `maxSizeBytes`: the default bound on a chunk the codecs accept (64 MiB). */
export const CDC_MAX_SIZE_UPPER_BOUND_BYTES = DEFAULT_MAX_CHUNK_BYTES

/** Highest normalization level; above it MaskL would keep too few bits for small averages. */
export const CDC_MAX_NORMALIZATION_LEVEL = 3

/** How content-defined chunking cuts a byte stream. */
export interface CdcOptions {
  /**
   * Smallest chunk, in bytes (the last chunk of a stream may be shorter). At least
   * {@link CDC_MIN_SIZE_LOWER_BOUND_BYTES}, below `averageSizeBytes`.
   * @default DEFAULT_CDC_MIN_SIZE_BYTES (8 KiB)
   */
  minSizeBytes?: number
  /**
   * Normal chunk size, in bytes: a power of two between `minSizeBytes` and `maxSizeBytes` (both exclusive).
   * Before it the harder mask MaskS applies, after it the easier MaskL.
   * @default DEFAULT_CDC_AVERAGE_SIZE_BYTES (32 KiB)
   */
  averageSizeBytes?: number
  /**
   * Largest chunk, in bytes, at most {@link CDC_MAX_SIZE_UPPER_BOUND_BYTES}. Also the most a streaming chunker
   * buffers.
   * @default DEFAULT_CDC_MAX_SIZE_BYTES (128 KiB)
   */
  maxSizeBytes?: number
  /**
   * Normalization level `k` (0..{@link CDC_MAX_NORMALIZATION_LEVEL}): MaskS has `log2(average) + k` one bits,
   * MaskL `log2(average) - k`. 0 disables normalized chunking; higher levels pull chunk sizes closer to the
   * average.
   * @default DEFAULT_CDC_NORMALIZATION_LEVEL (2)
   */
  normalizationLevel?: number
}

/** Validated chunking parameters with their masks, as the cut-point search uses them. */
export interface CdcParams {
  /** Smallest chunk, in bytes. */
  readonly minSizeBytes: number
  /** Normal chunk size, in bytes. */
  readonly averageSizeBytes: number
  /** Largest chunk, in bytes. */
  readonly maxSizeBytes: number
  /** Normalization level. */
  readonly normalizationLevel: number
  /** Harder mask (more one bits), used before the normal size; a signed 32-bit integer. */
  readonly maskS: number
  /** Easier mask (fewer one bits), used from the normal size on; a signed 32-bit integer. */
  readonly maskL: number
}

/**
 * Validates chunking options and derives the masks.
 *
 * The masks set their one bits at the top of the 32-bit gear hash. A gear hash shifts left once per byte, so
 * bit `b` depends on the last `b + 1` bytes; taking the top bits gives every tested bit a window of at least
 * `32 - bits` bytes and the highest one the full 32, which is what the paper's zero padding of its 64-bit masks
 * achieves.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) naming the first option outside its domain
 */
export function resolveCdcOptions(options: CdcOptions = {}): CdcParams {
  const {
    minSizeBytes = DEFAULT_CDC_MIN_SIZE_BYTES,
    averageSizeBytes = DEFAULT_CDC_AVERAGE_SIZE_BYTES,
    maxSizeBytes = DEFAULT_CDC_MAX_SIZE_BYTES,
    normalizationLevel = DEFAULT_CDC_NORMALIZATION_LEVEL,
  } = options
  checkInteger('minSizeBytes', minSizeBytes)
  checkInteger('averageSizeBytes', averageSizeBytes)
  checkInteger('maxSizeBytes', maxSizeBytes)
  checkInteger('normalizationLevel', normalizationLevel)
  if (minSizeBytes < CDC_MIN_SIZE_LOWER_BOUND_BYTES) {
    throw new InvalidArgumentError(
      'minSizeBytes',
      `${minSizeBytes} is below ${CDC_MIN_SIZE_LOWER_BOUND_BYTES}`,
    )
  }
  if (maxSizeBytes > CDC_MAX_SIZE_UPPER_BOUND_BYTES) {
    throw new InvalidArgumentError(
      'maxSizeBytes',
      `${maxSizeBytes} is above ${CDC_MAX_SIZE_UPPER_BOUND_BYTES}`,
    )
  }
  if (!(minSizeBytes < averageSizeBytes && averageSizeBytes < maxSizeBytes)) {
    throw new InvalidArgumentError(
      'averageSizeBytes',
      `${averageSizeBytes} must lie strictly between minSizeBytes ${minSizeBytes} and maxSizeBytes ${maxSizeBytes}`,
    )
  }
  if ((averageSizeBytes & (averageSizeBytes - 1)) !== 0) {
    throw new InvalidArgumentError('averageSizeBytes', `${averageSizeBytes} is not a power of two`)
  }
  if (normalizationLevel < 0 || normalizationLevel > CDC_MAX_NORMALIZATION_LEVEL) {
    throw new InvalidArgumentError(
      'normalizationLevel',
      `${normalizationLevel} is not in 0..${CDC_MAX_NORMALIZATION_LEVEL}`,
    )
  }
  // average > min >= 64 = 2^6 and average < max <= 2^26, so bits is 7..25 and both masks keep 4..28 bits.
  const bits = Math.log2(averageSizeBytes)
  return {
    minSizeBytes,
    averageSizeBytes,
    maxSizeBytes,
    normalizationLevel,
    maskS: topBitsMask(bits + normalizationLevel),
    maskL: topBitsMask(bits - normalizationLevel),
  }
}

/** A signed 32-bit mask with its `count` highest bits set. */
function topBitsMask(count: number): number {
  return -1 << (32 - count)
}

function checkInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(name, `${value} is not an integer`)
}
