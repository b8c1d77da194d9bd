/**
 * Streaming FastCDC: the same chunks as {@link cdcChunks} over the concatenation of a source's buffers, with at
 * most `maxSizeBytes` held back between buffers, whatever the sizes of the buffers the source yields.
 */
import { throwIfAborted } from '@dwcp/core'
import { type CdcOptions, resolveCdcOptions } from './cdc-options.js'
import { findCutPoint } from './fastcdc.js'

/** Options of {@link cdcStream}. */
export interface CdcStreamOptions extends CdcOptions {
  /** Stops the chunker between buffers and between chunks with `DWCP_ERR_ABORTED`. */
  signal?: AbortSignal
}

/** Bytes a chunker reads: buffers in order, sync or async (a Node.js `Readable` qualifies). */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/**
 * Cuts a stream of buffers into content-defined chunks, yielding each chunk as a fresh copy the consumer may
 * keep. The chunks equal those {@link cdcChunks} finds in the concatenated input, however it is split.
 *
 * A cut is decided only once `maxSizeBytes` bytes from the chunk's start are known, or the source has ended:
 * before that, a later byte could still be where the chunk ends. So the chunker keeps one carry buffer of
 * `maxSizeBytes` for bytes that straddle the source's buffers, and cuts directly inside a source buffer when it
 * holds a whole window.
 *
 * @example
 * ```ts
 * for await (const chunk of cdcStream(fs.createReadStream(diskImage))) {
 *   console.log(chunk.length)
 * }
 * ```
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for options outside their domain, on first pull
 * @throws AbortedError (`DWCP_ERR_ABORTED`) when `signal` fires
 */
export async function* cdcStream(
  source: ByteSource,
  options: CdcStreamOptions = {},
): AsyncGenerator<Uint8Array> {
  const { signal, ...cdcOptions } = options
  const params = resolveCdcOptions(cdcOptions)
  const windowBytes = params.maxSizeBytes
  // Bytes of the current chunk that came from earlier source buffers; never more than one window.
  const carry = new Uint8Array(windowBytes)
  let carryBytes = 0

  throwIfAborted(signal)
  for await (const buffer of source) {
    throwIfAborted(signal)
    let offset = 0
    while (offset < buffer.length) {
      if (carryBytes === 0 && buffer.length - offset >= windowBytes) {
        // A whole window inside the source buffer: cut in place, copying only the chunk handed out.
        const cut = findCutPoint(buffer, offset, offset + windowBytes, params)
        // A copy through the Uint8Array constructor: on a Node.js Buffer, slice() would return a view.
        yield new Uint8Array(buffer.subarray(offset, cut))
        throwIfAborted(signal)
        offset = cut
        continue
      }
      const takeBytes = Math.min(windowBytes - carryBytes, buffer.length - offset)
      carry.set(buffer.subarray(offset, offset + takeBytes), carryBytes)
      carryBytes += takeBytes
      offset += takeBytes
      if (carryBytes === windowBytes) {
        const cut = findCutPoint(carry, 0, windowBytes, params)
        yield carry.slice(0, cut)
        throwIfAborted(signal)
        carry.copyWithin(0, cut, windowBytes)
        carryBytes = windowBytes - cut
      }
    }
  }
  // The source has ended: what remains is cut exactly as the one-shot chunker cuts the tail of its input.
  let start = 0
  while (start < carryBytes) {
    const cut = findCutPoint(carry, start, carryBytes, params)
    yield carry.slice(start, cut)
    throwIfAborted(signal)
    start = cut
  }
}
