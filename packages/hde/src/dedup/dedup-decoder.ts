/**
 * The receiving half of deduplication: turns `dedup-ref` and literal frames back into chunks, keeping the
 * content of every literal (within the index bounds) to resolve later references, in the order the encoder
 * recorded them.
 */
import {
  FrameCorruptError,
  FrameTooLargeError,
  InvalidArgumentError,
  isDwcpError,
  throwIfAborted,
} from '@dwcp/core'
import { CDC_MAX_SIZE_UPPER_BOUND_BYTES, DEFAULT_CDC_MAX_SIZE_BYTES } from './cdc-options.js'
import { DedupIndex, type DedupIndexOptions } from './dedup-index.js'
import { decodeDedupRef, isDedupRefFrame } from './dedup-ref.js'
import { countChunk, type DedupStats, emptyDedupStats } from './dedup-stats.js'
import { decodeNoneLiteral, type LiteralDecoder } from './literal-codec.js'
import { hashKey, strongHash } from './strong-hash.js'

/** Options of {@link dedupDecoder}. */
export interface DedupDecoderOptions {
  /**
   * Largest chunk, in bytes, a frame may announce or a literal may decode to: at least the encoder's chunking
   * `maxSizeBytes`, at most 64 MiB. Frames above it are refused before anything is allocated for them.
   * @default DEFAULT_CDC_MAX_SIZE_BYTES (128 KiB)
   */
  maxChunkBytes?: number
  /**
   * Bounds of the index of chunks held. Must equal the encoder's.
   * @default DedupIndex's defaults (16 384 entries, 256 MiB)
   */
  index?: DedupIndexOptions
  /**
   * Reads a literal frame back into its chunk; must match the encoder's `encodeLiteral` and throw only typed
   * frame errors.
   * @default decodeNoneLiteral (a `none` frame)
   */
  decodeLiteral?: LiteralDecoder
}

/** Options of one {@link DedupDecoder.decode} call. */
export interface DedupDecodeOptions {
  /** Stops the decoder between frames with `DWCP_ERR_ABORTED`. */
  signal?: AbortSignal
}

/**
 * Turns dedup frames back into chunks. Frames are decoded strictly in the order they are given, even when
 * `decodeChunk` calls overlap, because the index must record literals in the encoder's order.
 *
 * A frame that fails to decode leaves the decoder failed: the encoder has recorded a chunk this side never got,
 * so every later call rejects with `DWCP_ERR_FRAME_CORRUPT` instead of risking a wrong chunk. Start a new pair.
 */
export interface DedupDecoder {
  /**
   * Decodes a sequence of frames and yields their chunks, in order. The chunks concatenate to the encoder's
   * input.
   *
   * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`) or FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`) for
   *   a bad frame, as {@link DedupDecoder.decodeChunk}
   * @throws AbortedError (`DWCP_ERR_ABORTED`) when `signal` fires
   */
  decode(
    frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: DedupDecodeOptions,
  ): AsyncGenerator<Uint8Array>
  /**
   * Decodes one frame into a chunk the caller owns.
   *
   * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`): a malformed frame, a reference to a hash the decoder
   *   does not hold, a reference whose payload is not 32 bytes or whose size differs from the held chunk, an
   *   empty literal, or any call after a failed one
   * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`): a frame announcing more than `maxChunkBytes`
   */
  decodeChunk(frame: Uint8Array): Promise<Uint8Array>
  /** Counters since creation (live, read-only). */
  readonly stats: Readonly<DedupStats>
  /** The chunks this decoder holds. */
  readonly index: DedupIndex
}

/**
 * Creates a dedup decoder; pair it with a {@link dedupEncoder} created with the same index bounds.
 *
 * @example
 * ```ts
 * const decoder = dedupDecoder()
 * for await (const chunk of decoder.decode(receivedFrames)) await file.write(chunk)
 * ```
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for `maxChunkBytes` or index bounds outside their
 *   domain
 */
export function dedupDecoder(options: DedupDecoderOptions = {}): DedupDecoder {
  const { maxChunkBytes = DEFAULT_CDC_MAX_SIZE_BYTES, decodeLiteral = decodeNoneLiteral } = options
  if (
    !Number.isSafeInteger(maxChunkBytes) ||
    maxChunkBytes < 1 ||
    maxChunkBytes > CDC_MAX_SIZE_UPPER_BOUND_BYTES
  ) {
    throw new InvalidArgumentError(
      'maxChunkBytes',
      `${maxChunkBytes} is not an integer in 1..${CDC_MAX_SIZE_UPPER_BOUND_BYTES}`,
    )
  }
  const index = new DedupIndex({ ...options.index, retainContent: true })
  const stats = emptyDedupStats()
  // Each call waits for the one before it, so literals are recorded in frame order whatever the caller does.
  let previous: Promise<unknown> = Promise.resolve()
  let failure: string | undefined

  async function decodeOne(frame: Uint8Array): Promise<Uint8Array> {
    if (failure !== undefined) throw new FrameCorruptError(`an earlier frame failed (${failure})`)
    try {
      return isDedupRefFrame(frame) ? resolveRef(frame) : await decodeNewLiteral(frame)
    } catch (err) {
      failure = isDwcpError(err) ? err.code : 'untyped error'
      throw err
    }
  }

  function resolveRef(frame: Uint8Array): Uint8Array {
    const { hash, originalBytes } = decodeDedupRef(frame, maxChunkBytes)
    const held = index.get(hash)
    if (held === undefined) throw new FrameCorruptError(`reference to unknown chunk ${hashKey(hash)}`)
    if (held.length !== originalBytes) {
      throw new FrameCorruptError(
        `reference announces ${originalBytes} bytes, the held chunk has ${held.length}`,
      )
    }
    countChunk(stats, held.length, frame.length, true)
    // A copy: the caller may write into its chunk, and the held one must stay intact for later references.
    return new Uint8Array(held) // a copy, also when held is a Buffer (whose slice() is a view)
  }

  async function decodeNewLiteral(frame: Uint8Array): Promise<Uint8Array> {
    const chunk = await decodeLiteral(frame, maxChunkBytes)
    if (chunk.length === 0) throw new FrameCorruptError('empty literal chunk')
    if (chunk.length > maxChunkBytes) throw new FrameTooLargeError(chunk.length, maxChunkBytes)
    index.record(strongHash(chunk), chunk)
    countChunk(stats, chunk.length, frame.length, false)
    return chunk
  }

  function decodeChunk(frame: Uint8Array): Promise<Uint8Array> {
    const result = previous.then(() => decodeOne(frame))
    previous = result.catch(() => undefined)
    return result
  }

  async function* decode(
    frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    decodeOptions: DedupDecodeOptions = {},
  ): AsyncGenerator<Uint8Array> {
    const { signal } = decodeOptions
    throwIfAborted(signal)
    for await (const frame of frames) {
      throwIfAborted(signal)
      yield await decodeChunk(frame)
    }
  }

  return { decode, decodeChunk, stats, index }
}
