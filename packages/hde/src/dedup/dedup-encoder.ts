/**
 * The sending half of deduplication: cuts a byte stream into content-defined chunks and frames each one either
 * as a `dedup-ref` (the receiver already holds it) or as a literal (it does not, yet).
 */
import { FrameTooLargeError, InvalidArgumentError, throwIfAborted } from '@dwcp/core'
import { type CdcOptions, resolveCdcOptions } from './cdc-options.js'
import { type ByteSource, cdcStream } from './cdc-stream.js'
import { DedupIndex, type DedupIndexOptions } from './dedup-index.js'
import { encodeDedupRef, isDedupRefFrame } from './dedup-ref.js'
import { countChunk, type DedupStats, emptyDedupStats } from './dedup-stats.js'
import { encodeNoneLiteral, type LiteralEncoder } from './literal-codec.js'
import { strongHash } from './strong-hash.js'

/** Options of {@link dedupEncoder}. */
export interface DedupEncoderOptions {
  /**
   * How {@link DedupEncoder.encode} cuts its input. Its `maxSizeBytes` also bounds the chunks `encodeChunk`
   * accepts; the decoder's `maxChunkBytes` must be at least as large.
   * @default the FastCDC defaults: 8 KiB / 32 KiB / 128 KiB, normalization level 2
   */
  chunking?: CdcOptions
  /**
   * Bounds of the index of chunks the receiver holds. Must equal the decoder's, or the two evict differently
   * and the decoder meets references it cannot resolve.
   * @default DedupIndex's defaults (16 384 entries, 256 MiB)
   */
  index?: DedupIndexOptions
  /**
   * Frames a chunk the receiver does not hold. Must emit frames the decoder's `decodeLiteral` reads, and never a
   * `dedup-ref` frame.
   * @default encodeNoneLiteral (a `none` frame)
   */
  encodeLiteral?: LiteralEncoder
}

/** Options of one {@link DedupEncoder.encode} call. */
export interface DedupEncodeOptions {
  /** Stops the encoder between chunks with `DWCP_ERR_ABORTED`. */
  signal?: AbortSignal
}

/**
 * Turns bytes into dedup frames. It remembers, across calls, every chunk it has sent as a literal (within the
 * index bounds), so content repeated later in the stream, in a later call (the next pre-copy round) or in
 * another object sent to the same receiver costs a 51-byte reference.
 *
 * Frames must reach the decoder in the order they were produced. If encoding fails midway (the literal encoder
 * threw, the signal fired), the encoder's index no longer matches the decoder's: start both afresh.
 */
export interface DedupEncoder {
  /**
   * Cuts `source` with FastCDC and yields one frame per chunk, in order. Memory stays bounded by the chunker's
   * window and one chunk in flight.
   *
   * @throws AbortedError (`DWCP_ERR_ABORTED`) when `signal` fires
   */
  encode(source: ByteSource, options?: DedupEncodeOptions): AsyncGenerator<Uint8Array>
  /**
   * Frames one chunk the caller has already cut. Decides between reference and literal and records the chunk
   * synchronously, before awaiting the literal encoder, so calls that overlap still record in call order; send
   * their frames in that order.
   *
   * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for an empty chunk, or a literal encoder that
   *   returns a `dedup-ref` frame
   * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`) for a chunk above the chunking `maxSizeBytes`
   */
  encodeChunk(chunk: Uint8Array): Promise<Uint8Array>
  /** Counters since creation (live, read-only). */
  readonly stats: Readonly<DedupStats>
  /** The hashes the receiver holds, as far as this encoder knows. */
  readonly index: DedupIndex
}

/**
 * Creates a dedup encoder; pair it with a {@link dedupDecoder} created with the same index bounds.
 *
 * @example
 * ```ts
 * const encoder = dedupEncoder()
 * for await (const frame of encoder.encode(fs.createReadStream(diskImage))) session.send('bulk', frame)
 * console.log(encoder.stats.bytesReferenced, encoder.stats.bytesLiteral)
 * ```
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for chunking options or index bounds outside their
 *   domain
 */
export function dedupEncoder(options: DedupEncoderOptions = {}): DedupEncoder {
  const chunking = resolveCdcOptions(options.chunking)
  const index = new DedupIndex({ ...options.index, retainContent: false })
  const encodeLiteral = options.encodeLiteral ?? encodeNoneLiteral
  const stats = emptyDedupStats()

  async function encodeChunk(chunk: Uint8Array): Promise<Uint8Array> {
    if (chunk.length === 0) throw new InvalidArgumentError('chunk', 'is empty')
    if (chunk.length > chunking.maxSizeBytes)
      throw new FrameTooLargeError(chunk.length, chunking.maxSizeBytes)
    const hash = strongHash(chunk)
    if (index.has(hash)) {
      const frame = encodeDedupRef(hash, chunk.length)
      countChunk(stats, chunk.length, frame.length, true)
      return frame
    }
    // Recorded now, not after the await, so that the order of records is the order of calls.
    index.record(hash, chunk)
    const frame = await encodeLiteral(chunk)
    if (isDedupRefFrame(frame)) {
      throw new InvalidArgumentError('encodeLiteral', 'returned a dedup-ref frame for a literal')
    }
    countChunk(stats, chunk.length, frame.length, false)
    return frame
  }

  async function* encode(
    source: ByteSource,
    encodeOptions: DedupEncodeOptions = {},
  ): AsyncGenerator<Uint8Array> {
    const { signal } = encodeOptions
    for await (const chunk of cdcStream(source, { ...options.chunking, signal })) {
      const frame = await encodeChunk(chunk)
      throwIfAborted(signal)
      yield frame
    }
  }

  return { encode, encodeChunk, stats, index }
}
