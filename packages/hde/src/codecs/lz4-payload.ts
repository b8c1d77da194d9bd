/**
 * LZ4 payloads: one LZ4 frame, the format of the `lz4` CLI (magic `04 22 4D 18`, frame descriptor, blocks,
 * end mark, optional content checksum).
 *
 * Compression is lz4-napi's frame encoder. Decompression is not: lz4-napi decodes a whole frame into memory
 * sized by the data itself, with no bound, so a few kilobytes of crafted blocks could make it allocate
 * gigabytes. This module reads the frame structure itself, checks every size against the caller's bound before
 * allocating, verifies the header, block and content checksums, and hands each compressed block to lz4-napi's
 * block decoder with an output capacity no larger than what the bound still allows.
 */
import { FrameCorruptError, FrameTooLargeError } from '@dwcp/core'
import lz4 from 'lz4-napi'
import { BoundedOutput } from './bounded-output.js'
import { checkDecompressOptions, type DecompressPayloadOptions, nativeReason } from './decompress-options.js'
import { xxh32 } from './xxh32.js'

/** First four bytes (little-endian) of an LZ4 frame. */
const LZ4_FRAME_MAGIC = 0x184d2204
/** Skippable frames carry `0x184D2A50`..`0x184D2A5F`: user data, not compressed content. */
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50
/** The legacy format the CLI wrote with `-l`: no descriptor, no checksums. */
const LZ4_LEGACY_MAGIC = 0x184c2102
/** Frame descriptor bits (FLG byte). */
const FLAG_VERSION_MASK = 0xc0
const FLAG_VERSION_1 = 0x40
const FLAG_BLOCK_INDEPENDENCE = 0x20
const FLAG_BLOCK_CHECKSUM = 0x10
const FLAG_CONTENT_SIZE = 0x08
const FLAG_CONTENT_CHECKSUM = 0x04
const FLAG_RESERVED = 0x02
const FLAG_DICTIONARY_ID = 0x01
/** Reserved bits of the BD byte, which must be zero. */
const BD_RESERVED = 0x8f
/** High bit of a block size word: the block is stored uncompressed. */
const BLOCK_UNCOMPRESSED = 0x8000_0000
/** A linked block may copy from the 64 KiB that precede it. */
const LINKED_HISTORY_BYTES = 64 * 1024

/**
 * Compresses `bytes` into one LZ4 frame with independent blocks and no optional checksums (the DWCP frame's
 * CRC32C covers the payload, and decoders check the decoded size). Any LZ4 frame decoder reads it, `lz4 -d`
 * included. LZ4 has no levels, and lz4-napi writes frames without a dictionary.
 */
export function lz4CompressPayload(bytes: Uint8Array): Uint8Array {
  return lz4.compressFrameSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

/**
 * {@link lz4CompressPayload} on one of libuv's pool threads: the same frame, while the event loop goes on (a
 * sender with several chunks in flight compresses them on other cores). The caller must not change `bytes` until
 * the promise settles.
 */
export function lz4CompressPayloadOffThread(bytes: Uint8Array): Promise<Uint8Array> {
  return lz4.compressFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

/**
 * Largest LZ4 payload, in bytes, an encoder writes for `originalBytes` of input: incompressible blocks are
 * stored as is, so the overhead is at most a size word and a block checksum per 64 KiB block (the smallest
 * block size) plus the largest header (19 bytes), the end mark and a content checksum.
 */
export function lz4MaxPayloadBytes(originalBytes: number): number {
  const blocks = Math.max(1, Math.ceil(originalBytes / (64 * 1024)))
  return originalBytes + 8 * blocks + 32
}

/**
 * Decompresses one LZ4 frame (as written by {@link lz4CompressPayload} or the `lz4` CLI, with independent or
 * linked blocks and any of the optional checksums) without ever holding more than the bound.
 *
 * @throws FrameCorruptError (`DWCP_ERR_FRAME_CORRUPT`): not exactly one LZ4 frame, a reserved bit set, a
 *   dictionary id (unsupported), a checksum mismatch, a block the decoder rejects, a decoded size other than
 *   `expectedBytes` or the frame's content size, or output past the bound
 * @throws FrameTooLargeError (`DWCP_ERR_FRAME_TOO_LARGE`): a content size above `maxOutputBytes` (without
 *   `expectedBytes`), refused before allocating
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`): bounds that are not non-negative integers
 */
export function lz4DecompressPayload(payload: Uint8Array, options: DecompressPayloadOptions): Uint8Array {
  checkDecompressOptions(options)
  const reader = new Lz4FrameReader(payload)
  const descriptor = reader.descriptor()
  const { expectedBytes, maxOutputBytes } = options
  if (descriptor.contentBytes !== undefined) {
    if (expectedBytes !== undefined && descriptor.contentBytes !== BigInt(expectedBytes)) {
      throw new FrameCorruptError(
        `lz4 content size ${descriptor.contentBytes} is not the announced ${expectedBytes}`,
      )
    }
    if (descriptor.contentBytes > BigInt(maxOutputBytes)) {
      throw new FrameTooLargeError(Number(descriptor.contentBytes), maxOutputBytes)
    }
  }
  const exactBytes =
    expectedBytes ?? (descriptor.contentBytes === undefined ? undefined : Number(descriptor.contentBytes))
  const output =
    exactBytes === undefined
      ? new BoundedOutput({ maxBytes: maxOutputBytes })
      : new BoundedOutput({ exactBytes, maxBytes: maxOutputBytes })

  // Every pass consumes at least the four bytes of a block size word, so the loop ends with the input.
  for (let block = 0; ; block += 1) {
    const word = reader.u32('block size')
    if (word === 0) break
    const sizeBytes = word & ~BLOCK_UNCOMPRESSED
    if (sizeBytes > descriptor.blockMaxBytes) {
      throw new FrameCorruptError(
        `lz4 block ${block} of ${sizeBytes} bytes exceeds the frame's ${descriptor.blockMaxBytes}`,
      )
    }
    const data = reader.bytes(sizeBytes, 'block')
    if (descriptor.blockChecksum && reader.u32('block checksum') !== xxh32(data)) {
      throw new FrameCorruptError(`lz4 block ${block} checksum mismatch`)
    }
    if ((word & BLOCK_UNCOMPRESSED) !== 0) {
      output.write(data)
    } else {
      const capacityBytes = Math.min(descriptor.blockMaxBytes, output.remainingBytes)
      const history = descriptor.independentBlocks ? undefined : output.tail(LINKED_HISTORY_BYTES)
      output.write(decodeBlock(data, capacityBytes, history, block))
    }
  }
  const decoded = output.finish()
  if (exactBytes !== undefined && decoded.length !== exactBytes) {
    throw new FrameCorruptError(
      `lz4 frame decodes to ${decoded.length} bytes, not the announced ${exactBytes}`,
    )
  }
  if (descriptor.contentChecksum && reader.u32('content checksum') !== xxh32(decoded)) {
    throw new FrameCorruptError('lz4 content checksum mismatch')
  }
  reader.end()
  return decoded
}

/** Decodes one compressed block into at most `capacityBytes` through lz4-napi's size-prepended block API. */
function decodeBlock(
  data: Uint8Array,
  capacityBytes: number,
  history: Uint8Array | undefined,
  block: number,
): Uint8Array {
  // lz4-napi reads a little-endian u32 before the block and never writes past it: that is the bound.
  const input = new Uint8Array(4 + data.length)
  new DataView(input.buffer).setUint32(0, capacityBytes, true)
  input.set(data, 4)
  try {
    return lz4.uncompressSync(input, history)
  } catch (err) {
    throw new FrameCorruptError(
      `lz4 block ${block} (at most ${capacityBytes} bytes allowed): ${nativeReason(err)}`,
    )
  }
}

/** What an LZ4 frame descriptor declares. */
interface Lz4Descriptor {
  independentBlocks: boolean
  blockChecksum: boolean
  contentChecksum: boolean
  blockMaxBytes: number
  contentBytes?: bigint
}

/** A cursor over one LZ4 frame that refuses to read past its end. */
class Lz4FrameReader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  #offset = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** Reads and verifies magic, FLG, BD, the optional fields and the header checksum. */
  descriptor(): Lz4Descriptor {
    const magic = this.u32('magic')
    if (magic !== LZ4_FRAME_MAGIC) throw new FrameCorruptError(`not an lz4 frame: ${describeMagic(magic)}`)
    const start = this.#offset
    const flags = this.u8('frame descriptor')
    const bd = this.u8('frame descriptor')
    if ((flags & FLAG_VERSION_MASK) !== FLAG_VERSION_1) {
      throw new FrameCorruptError(`lz4 frame version ${(flags & FLAG_VERSION_MASK) >> 6}, only 1 is defined`)
    }
    if ((flags & FLAG_RESERVED) !== 0 || (bd & BD_RESERVED) !== 0) {
      throw new FrameCorruptError('lz4 frame descriptor has a reserved bit set')
    }
    const sizeCode = (bd >> 4) & 0x07
    if (sizeCode < 4) throw new FrameCorruptError(`lz4 block maximum size code ${sizeCode} is reserved`)
    const descriptor: Lz4Descriptor = {
      independentBlocks: (flags & FLAG_BLOCK_INDEPENDENCE) !== 0,
      blockChecksum: (flags & FLAG_BLOCK_CHECKSUM) !== 0,
      contentChecksum: (flags & FLAG_CONTENT_CHECKSUM) !== 0,
      // Codes 4..7 mean 64 KiB, 256 KiB, 1 MiB, 4 MiB.
      blockMaxBytes: 1 << (2 * sizeCode + 8),
    }
    if ((flags & FLAG_CONTENT_SIZE) !== 0) {
      descriptor.contentBytes = this.#view.getBigUint64(this.#take(8, 'content size'), true)
    }
    if ((flags & FLAG_DICTIONARY_ID) !== 0) {
      throw new FrameCorruptError(
        'lz4 frame names a dictionary id; frames with a dictionary are not supported',
      )
    }
    const headerChecksum = (xxh32(this.#bytes.subarray(start, this.#offset)) >>> 8) & 0xff
    if (this.u8('header checksum') !== headerChecksum)
      throw new FrameCorruptError('lz4 header checksum mismatch')
    return descriptor
  }

  u8(part: string): number {
    return this.#view.getUint8(this.#take(1, part))
  }

  u32(part: string): number {
    return this.#view.getUint32(this.#take(4, part), true)
  }

  bytes(lengthBytes: number, part: string): Uint8Array {
    const offset = this.#take(lengthBytes, part)
    return this.#bytes.subarray(offset, offset + lengthBytes)
  }

  /** Demands that the frame filled the payload exactly. */
  end(): void {
    const trailing = this.#bytes.length - this.#offset
    if (trailing > 0) throw new FrameCorruptError(`${trailing} trailing bytes after the lz4 frame`)
  }

  #take(lengthBytes: number, part: string): number {
    const offset = this.#offset
    if (this.#bytes.length - offset < lengthBytes) {
      throw new FrameCorruptError(
        `lz4 frame truncated in its ${part} at byte ${offset} of ${this.#bytes.length}`,
      )
    }
    this.#offset = offset + lengthBytes
    return offset
  }
}

function describeMagic(magic: number): string {
  if ((magic & 0xffff_fff0) === LZ4_SKIPPABLE_MAGIC) return 'a skippable frame'
  if (magic === LZ4_LEGACY_MAGIC) return 'the legacy lz4 format'
  return `magic 0x${magic.toString(16).padStart(8, '0')}`
}
