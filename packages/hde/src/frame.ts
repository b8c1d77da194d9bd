/**
 * The self-describing frame every HDE codec emits: a fixed, versioned header naming the algorithm, level and
 * baseline, the sizes before and after encoding, and a CRC32C over header and payload. The layout is documented
 * as a table in the package README; all integers are big-endian.
 */
import { FrameCorruptError, FrameTooLargeError, InvalidArgumentError } from '@dwcp/core'
import { frameCrc32c } from './checksum.js'

/** First two bytes of every frame: ASCII `HD`. */
export const FRAME_MAGIC = 0x4844

/** The frame format version this module writes and the only one it reads. */
export const FRAME_VERSION = 1

/**
 * Algorithm ids as written in the frame's algorithm byte. Ids are a wire contract: an id, once assigned, is
 * never reused for another algorithm.
 */
export const FRAME_ALGORITHMS = {
  /** The payload is the chunk itself. */
  none: 0,
  /** The payload is one LZ4 frame (the `lz4` CLI's format). */
  lz4: 1,
  /** The payload is one zstd frame at the frame's level (the `zstd` CLI's format). */
  zstd: 2,
  /** The payload is one zstd frame at a high level with a long window (`zstd --long`). */
  'zstd-long': 3,
  /** Delta against the named baseline: XOR with it, then zero runs and literal runs (XBZRLE style). */
  xbzrle: 4,
  /** Delta against the named baseline: one zstd frame compressed with the baseline as a raw-content dictionary. */
  'zstd-delta': 5,
  /** The chunk is all zeros; the payload is empty. */
  zero: 6,
  /** The chunk equals the named baseline; the payload is empty. */
  same: 7,
  /** The chunk is content the receiver already holds, named by its strong hash in the payload. */
  'dedup-ref': 8,
} as const

/** Name of an algorithm a frame can carry. */
export type FrameAlgorithm = keyof typeof FRAME_ALGORITHMS

/** Longest baseline id, in UTF-8 bytes, a frame can name. */
export const FRAME_BASELINE_ID_MAX_BYTES = 255

/** Header size, in bytes, of a frame that names no baseline (add the baseline id's UTF-8 length otherwise). */
export const FRAME_HEADER_MIN_BYTES = 19

/** Largest value the 32-bit size fields hold. */
const U32_MAX = 0xffff_ffff
/** Offset of the baseline id; the fixed fields before it are magic, version, algorithm, level, flags, length. */
const BASELINE_OFFSET = 7
/** Bytes of the three u32 fields (original size, payload size, CRC) after the baseline id. */
const TRAILER_BYTES = 12

const ALGORITHM_BY_ID = new Map<number, FrameAlgorithm>(
  Object.entries(FRAME_ALGORITHMS).map(([name, id]) => [id, name as FrameAlgorithm]),
)
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** What a frame carries, as given to {@link encodeFrame}. */
export interface FrameFields {
  /** Algorithm that produced `payload`. */
  algorithm: FrameAlgorithm
  /**
   * Algorithm level, a signed byte (-128..127); zstd uses negative levels.
   * @default 0
   */
  level?: number
  /**
   * Id of the baseline a delta payload was computed against: non-empty, at most
   * {@link FRAME_BASELINE_ID_MAX_BYTES} UTF-8 bytes, well-formed Unicode.
   * @default undefined (no baseline)
   */
  baselineId?: string
  /** Size of the chunk before encoding, in bytes (at most 2^32 - 1). */
  originalBytes: number
  /** Encoded bytes (at most 2^32 - 1). */
  payload: Uint8Array
}

/** A verified frame, as returned by {@link decodeFrame}. */
export interface DecodedFrame {
  /** Algorithm that produced `payload`. */
  algorithm: FrameAlgorithm
  /** Algorithm level. */
  level: number
  /** Flag bits; no flag is defined in format version 1, so this is always 0. */
  flags: number
  /** Baseline the payload was computed against, if any. */
  baselineId?: string
  /** Size of the chunk before encoding, in bytes. */
  originalBytes: number
  /** Encoded bytes: a view into the input, not a copy. */
  payload: Uint8Array
}

/** Bounds {@link decodeFrame} enforces before it trusts any announced size. */
export interface DecodeFrameOptions {
  /** Largest original size, in bytes, the caller is prepared to allocate for the decoded chunk. */
  maxOriginalBytes: number
  /**
   * Largest payload size, in bytes.
   * @default maxOriginalBytes
   */
  maxPayloadBytes?: number
}

/**
 * Builds a frame: header, CRC32C of header and payload, then the payload (copied).
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) when a field is outside its domain
 */
export function encodeFrame(fields: FrameFields): Uint8Array {
  const { algorithm, level = 0, baselineId, originalBytes, payload } = fields
  if (!Object.hasOwn(FRAME_ALGORITHMS, algorithm)) {
    throw new InvalidArgumentError('algorithm', `unknown algorithm ${JSON.stringify(algorithm)}`)
  }
  const algorithmId = FRAME_ALGORITHMS[algorithm]
  if (!Number.isInteger(level) || level < -128 || level > 127) {
    throw new InvalidArgumentError('level', `${level} is not an integer in -128..127`)
  }
  if (!Number.isInteger(originalBytes) || originalBytes < 0 || originalBytes > U32_MAX) {
    throw new InvalidArgumentError('originalBytes', `${originalBytes} is not an integer in 0..${U32_MAX}`)
  }
  if (payload.length > U32_MAX) {
    throw new InvalidArgumentError('payload', `${payload.length} bytes exceed ${U32_MAX}`)
  }
  const baseline = encodeBaselineId(baselineId)
  const headerBytes = FRAME_HEADER_MIN_BYTES + baseline.length
  const frame = new Uint8Array(headerBytes + payload.length)
  const view = new DataView(frame.buffer)
  view.setUint16(0, FRAME_MAGIC)
  view.setUint8(2, FRAME_VERSION)
  view.setUint8(3, algorithmId)
  view.setInt8(4, level)
  view.setUint8(5, 0)
  view.setUint8(6, baseline.length)
  frame.set(baseline, BASELINE_OFFSET)
  const sizesOffset = BASELINE_OFFSET + baseline.length
  view.setUint32(sizesOffset, originalBytes)
  view.setUint32(sizesOffset + 4, payload.length)
  frame.set(payload, headerBytes)
  const crcOffset = sizesOffset + 8
  view.setUint32(crcOffset, frameCrc32c(payload, frameCrc32c(frame.subarray(0, crcOffset))))
  return frame
}

function encodeBaselineId(baselineId: string | undefined): Uint8Array {
  if (baselineId === undefined) return new Uint8Array(0)
  if (baselineId.length === 0) {
    throw new InvalidArgumentError('baselineId', 'must not be empty (omit it for no baseline)')
  }
  const bytes = utf8Encoder.encode(baselineId)
  if (bytes.length > FRAME_BASELINE_ID_MAX_BYTES) {
    throw new InvalidArgumentError(
      'baselineId',
      `${bytes.length} UTF-8 bytes exceed ${FRAME_BASELINE_ID_MAX_BYTES}`,
    )
  }
  if (utf8Decoder.decode(bytes) !== baselineId) {
    throw new InvalidArgumentError('baselineId', 'is not well-formed Unicode (lone surrogate)')
  }
  return bytes
}

/**
 * Parses and verifies one frame that fills `bytes` exactly. Announced sizes are checked against the bounds
 * before anything else reads or allocates for them; the checksum is checked before anything is returned.
 *
 * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`): bad magic, unknown version, algorithm or flags, invalid
 *   baseline id, truncated frame, trailing bytes, checksum mismatch
 * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`): an announced size above its bound
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`): a bound that is not a non-negative integer
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeFrameOptions): DecodedFrame {
  const { maxOriginalBytes, maxPayloadBytes = maxOriginalBytes } = options
  checkBound('maxOriginalBytes', maxOriginalBytes)
  checkBound('maxPayloadBytes', maxPayloadBytes)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

  need(bytes, 2, 'magic')
  const magic = view.getUint16(0)
  if (magic !== FRAME_MAGIC) throw new FrameCorruptError(`bad magic 0x${magic.toString(16).padStart(4, '0')}`)
  need(bytes, BASELINE_OFFSET, 'fixed header')
  const version = view.getUint8(2)
  if (version !== FRAME_VERSION) throw new FrameCorruptError(`unsupported format version ${version}`)
  const algorithmId = view.getUint8(3)
  const algorithm = ALGORITHM_BY_ID.get(algorithmId)
  if (algorithm === undefined) throw new FrameCorruptError(`unknown algorithm id ${algorithmId}`)
  const level = view.getInt8(4)
  const flags = view.getUint8(5)
  if (flags !== 0) throw new FrameCorruptError(`unknown flags 0x${flags.toString(16).padStart(2, '0')}`)
  const baselineLength = view.getUint8(6)
  const sizesOffset = BASELINE_OFFSET + baselineLength
  const headerBytes = sizesOffset + TRAILER_BYTES
  need(bytes, headerBytes, 'header')

  const originalBytes = view.getUint32(sizesOffset)
  if (originalBytes > maxOriginalBytes) throw new FrameTooLargeError(originalBytes, maxOriginalBytes)
  const payloadBytes = view.getUint32(sizesOffset + 4)
  if (payloadBytes > maxPayloadBytes) throw new FrameTooLargeError(payloadBytes, maxPayloadBytes)
  const frameBytes = headerBytes + payloadBytes
  need(bytes, frameBytes, 'payload')
  if (bytes.length > frameBytes) {
    throw new FrameCorruptError(
      `${bytes.length - frameBytes} trailing bytes after a ${frameBytes}-byte frame`,
    )
  }

  const crcOffset = sizesOffset + 8
  const expected = view.getUint32(crcOffset)
  const payload = bytes.subarray(headerBytes, frameBytes)
  const actual = frameCrc32c(payload, frameCrc32c(bytes.subarray(0, crcOffset)))
  if (actual !== expected) {
    throw new FrameCorruptError(`checksum 0x${hex32(actual)} does not match 0x${hex32(expected)}`)
  }
  const baselineId =
    baselineLength === 0 ? undefined : decodeBaselineId(bytes.subarray(BASELINE_OFFSET, sizesOffset))
  const frame: DecodedFrame = { algorithm, level, flags, originalBytes, payload }
  if (baselineId !== undefined) frame.baselineId = baselineId
  return frame
}

function decodeBaselineId(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes)
  } catch {
    throw new FrameCorruptError('baseline id is not valid UTF-8')
  }
}

function need(bytes: Uint8Array, length: number, part: string): void {
  if (bytes.length < length) {
    throw new FrameCorruptError(`truncated: ${bytes.length} bytes, the ${part} needs ${length}`)
  }
}

function checkBound(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(name, `${value} is not a non-negative integer`)
  }
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0')
}
