/**
 * zstd payloads: one zstd frame, the format of the `zstd` CLI, compressed and decompressed through
 * zstd-napi's low-level binding (`ZSTD_compress2`, `ZSTD_decompressStream`).
 *
 * Decompression is bounded: the frame's content size (when present) is checked before anything is allocated,
 * output goes into a buffer no larger than the bound, and a frame that still has bytes to give once the buffer
 * is full is refused. zstd-napi's own `decompress` sizes its output from the frame header or grows it without
 * limit, so it is not used here.
 *
 * One compression context and one decompression context are created on first use and reused by every call in
 * this thread: the calls are synchronous, so they never interleave, and reuse spares the native allocations
 * (zstd keeps a context's tables between calls and frees tables that stay oversized for a while). Each call
 * resets the context's parameters and dictionary first, so no call sees another's settings.
 */
import { FrameCorruptError, FrameTooLargeError, InvalidArgumentError } from '@dwcp/core'
import type { CCtx, DCtx } from 'zstd-napi/binding.js'
import binding from 'zstd-napi/binding.js'
import { BoundedOutput } from './bounded-output.js'
import { checkDecompressOptions, type DecompressPayloadOptions, nativeReason } from './decompress-options.js'

/** Lowest zstd level accepted: the frame's level byte is signed, and faster levels gain nothing more. */
export const ZSTD_LEVEL_MIN = -128
/** Highest zstd level (levels 20 to 22 are the `--ultra` levels). */
export const ZSTD_LEVEL_MAX = 22
/** zstd's own default level, used when a codec is given none. */
export const ZSTD_DEFAULT_LEVEL = 3
/**
 * Largest window, as a power of two, a decoder accepts by default: 2^27 bytes (128 MiB), zstd's own default
 * limit and the window of `zstd --long=27`.
 */
export const ZSTD_DEFAULT_MAX_WINDOW_LOG = 27

/** Options of {@link zstdCompressPayload}. */
export interface ZstdCompressOptions {
  /** zstd level, {@link ZSTD_LEVEL_MIN}..{@link ZSTD_LEVEL_MAX} except 0 (negative levels are the fast ones). */
  level: number
  /**
   * Raw content the data is likely to share bytes with (a baseline); the decoder must be given the same bytes.
   * @default undefined (no dictionary)
   */
  dictionary?: Uint8Array
  /**
   * Window size as a power of two (10..31). zstd shrinks it to fit the input, whose size it writes in the frame.
   * @default the level's own window
   */
  windowLog?: number
  /**
   * Long-distance matching, which finds repeats far back in a large window (`zstd --long`).
   * @default false
   */
  longDistanceMatching?: boolean
  /**
   * Whether the frame ends with zstd's content checksum (4 bytes), which the decoder verifies. With a raw-content
   * dictionary it is what tells a decoder given different dictionary bytes that its output is wrong: such a
   * frame otherwise decodes, to other bytes of the same size.
   * @default true when a dictionary is given, else false (the DWCP frame's CRC32C covers the payload)
   */
  checksum?: boolean
}

/** Options of {@link zstdDecompressPayload}. */
export interface ZstdDecompressOptions extends DecompressPayloadOptions {
  /**
   * The dictionary the payload was compressed with, if any.
   * @default undefined (no dictionary)
   */
  dictionary?: Uint8Array
  /**
   * Largest window, as a power of two (10..31), the decoder accepts. A frame without a content size needs a
   * window buffer of its window size; a frame with one (as this package writes) is decoded straight into the
   * output, so this bound matters only for the former.
   * @default ZSTD_DEFAULT_MAX_WINDOW_LOG (27: at most 128 MiB of window)
   */
  maxWindowLog?: number
}

let compressionContext: CCtx | undefined
let decompressionContext: DCtx | undefined

/**
 * Compresses `bytes` into one zstd frame that records the content size (and a content checksum when asked or
 * when a dictionary is used). `zstd -d` reads it (with `--long=N` when `windowLog` exceeds 27, and `-D` with
 * the dictionary).
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`): a level or window outside its range
 */
export function zstdCompressPayload(bytes: Uint8Array, options: ZstdCompressOptions): Uint8Array {
  const { level, dictionary, windowLog, longDistanceMatching = false } = options
  const hasDictionary = dictionary !== undefined && dictionary.length > 0
  const { checksum = hasDictionary } = options
  checkZstdLevel('level', level)
  if (windowLog !== undefined) checkZstdWindowLog('windowLog', windowLog)
  compressionContext ??= new binding.CCtx()
  const context = compressionContext
  context.reset(binding.ResetDirective.sessionAndParameters)
  context.setParameter(binding.CParameter.compressionLevel, level)
  if (windowLog !== undefined) context.setParameter(binding.CParameter.windowLog, windowLog)
  if (longDistanceMatching) context.setParameter(binding.CParameter.enableLongDistanceMatching, 1)
  if (checksum) context.setParameter(binding.CParameter.checksumFlag, 1)
  // Parameters first: zstd builds the dictionary's tables for the parameters in force when it is used.
  if (hasDictionary) context.loadDictionary(rawContent(dictionary))
  const output = new Uint8Array(binding.compressBound(bytes.length))
  const written = context.compress2(output, bytes)
  return output.slice(0, written)
}

/**
 * Decompresses one zstd frame without ever holding more than the bound.
 *
 * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`): not exactly one zstd frame, any error of the zstd
 *   decoder (corrupt data, wrong dictionary, window above `maxWindowLog`…) with its reason, a content size or
 *   decoded size other than `expectedBytes`, or output past the bound
 * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`): a content size above `maxOutputBytes` (without
 *   `expectedBytes`), refused before allocating
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`): bounds out of their domain
 */
export function zstdDecompressPayload(payload: Uint8Array, options: ZstdDecompressOptions): Uint8Array {
  checkDecompressOptions(options)
  const { expectedBytes, maxOutputBytes, dictionary, maxWindowLog = ZSTD_DEFAULT_MAX_WINDOW_LOG } = options
  checkZstdWindowLog('maxWindowLog', maxWindowLog)
  if (
    payload.length < 4 ||
    new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true) !== binding.MAGICNUMBER
  ) {
    throw new FrameCorruptError('not a zstd frame: bad magic')
  }
  const contentBytes = native('zstd frame header', () => binding.getFrameContentSize(payload))
  if (contentBytes !== null) {
    if (expectedBytes !== undefined && contentBytes !== expectedBytes) {
      throw new FrameCorruptError(`zstd content size ${contentBytes} is not the announced ${expectedBytes}`)
    }
    if (contentBytes > maxOutputBytes) throw new FrameTooLargeError(contentBytes, maxOutputBytes)
  }
  const exactBytes = expectedBytes ?? contentBytes ?? undefined
  const output =
    exactBytes === undefined
      ? new BoundedOutput({ maxBytes: maxOutputBytes })
      : new BoundedOutput({ exactBytes, maxBytes: maxOutputBytes })

  decompressionContext ??= new binding.DCtx()
  const context = decompressionContext
  context.reset(binding.ResetDirective.sessionAndParameters)
  context.setParameter(binding.DParameter.windowLogMax, maxWindowLog)
  if (dictionary !== undefined && dictionary.length > 0) context.loadDictionary(rawContent(dictionary))

  // Once the output is full, a one-byte probe asks for more: any byte it receives proves the frame decodes to
  // more than allowed, while a frame that is merely finishing (its last block, its checksum) yields none.
  const probe = new Uint8Array(1)
  let input = payload
  // Each pass consumes input or produces output (at most the limit plus the probe byte), or it throws.
  for (;;) {
    const spare = output.spare()
    const target = spare.length > 0 ? spare : probe
    const [remaining, produced, consumed] = native('zstd', () => context.decompressStream(target, input))
    if (target === probe) {
      if (produced > 0) throw output.overflowError(output.lengthBytes + produced)
    } else {
      output.commit(produced)
    }
    input = input.subarray(consumed)
    if (remaining === 0) break
    if (produced === 0 && consumed === 0) {
      throw new FrameCorruptError(`zstd frame truncated after ${payload.length - input.length} bytes`)
    }
  }
  if (input.length > 0) throw new FrameCorruptError(`${input.length} trailing bytes after the zstd frame`)
  const decoded = output.finish()
  if (exactBytes !== undefined && decoded.length !== exactBytes) {
    throw new FrameCorruptError(
      `zstd frame decodes to ${decoded.length} bytes, not the announced ${exactBytes}`,
    )
  }
  return decoded
}

/**
 * Checks a zstd level: an integer in {@link ZSTD_LEVEL_MIN}..{@link ZSTD_LEVEL_MAX}, not 0 (zstd reads 0 as
 * "default", which the frame's level byte could not tell apart from a real level).
 *
 * @throws InvalidArgumentError otherwise
 */
export function checkZstdLevel(name: string, level: number): void {
  if (!Number.isInteger(level) || level < ZSTD_LEVEL_MIN || level > ZSTD_LEVEL_MAX || level === 0) {
    throw new InvalidArgumentError(
      name,
      `${level} is not a zstd level in ${ZSTD_LEVEL_MIN}..${ZSTD_LEVEL_MAX} other than 0`,
    )
  }
}

/**
 * Checks a window size given as a power of two against the range the linked zstd supports (10..31 on 64-bit
 * hosts).
 *
 * @throws InvalidArgumentError otherwise
 */
export function checkZstdWindowLog(name: string, value: number): void {
  const bounds = binding.cParamGetBounds(binding.CParameter.windowLog)
  if (!Number.isInteger(value) || value < bounds.lowerBound || value > bounds.upperBound) {
    throw new InvalidArgumentError(
      name,
      `${value} is not an integer in ${bounds.lowerBound}..${bounds.upperBound}`,
    )
  }
}

/**
 * The bytes to load so that zstd treats `dictionary` as raw content. zstd parses a buffer that starts with its
 * dictionary magic as a trained dictionary; a baseline may start with those four bytes by chance, so such a
 * buffer is loaded with one zero byte in front. Both sides do the same, and the extra byte of history changes
 * nothing else.
 */
function rawContent(dictionary: Uint8Array): Uint8Array {
  if (dictionary.length < 4) return dictionary
  const head = new DataView(dictionary.buffer, dictionary.byteOffset, 4).getUint32(0, true)
  if (head !== binding.MAGIC_DICTIONARY) return dictionary
  const shifted = new Uint8Array(dictionary.length + 1)
  shifted.set(dictionary, 1)
  return shifted
}

/** Runs a call into the native decoder, turning whatever it throws into `FrameCorruptError` with its reason. */
function native<T>(what: string, call: () => T): T {
  try {
    return call()
  } catch (err) {
    throw new FrameCorruptError(`${what}: ${nativeReason(err)}`)
  }
}

/**
 * Largest zstd payload, in bytes, an encoder writes for `originalBytes` of input: zstd's own bound for one
 * frame (`ZSTD_compressBound`) plus room for the optional parts another encoder (the CLI) may add, such as a
 * content checksum and a dictionary id.
 */
export function zstdMaxPayloadBytes(originalBytes: number): number {
  return binding.compressBound(originalBytes) + 32
}
