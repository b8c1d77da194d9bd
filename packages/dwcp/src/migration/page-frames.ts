import { type Codec, FrameCorruptError, FrameTooLargeError, type Mode, silentLogger } from '@dwcp/core'
import { decodePageAgainst, encodePageAgainst, zstdCodec } from '@dwcp/hde'
import { PAGE_BYTES } from './file-workload.js'

/** Most pages of one plain run (1 MiB): zstd compresses a run as one chunk, better than page by page. */
export const PLAIN_RUN_MAX_PAGES = 256

/**
 * The codec of plain runs at `level`: zstd, refusing frames that announce more than one run, so a hostile
 * frame cannot make the receiver allocate more.
 */
export function plainRunCodec(level: number): Codec {
  return zstdCodec({ level, maxChunkBytes: PLAIN_RUN_MAX_PAGES * PAGE_BYTES })({ logger: silentLogger() })
}

/**
 * A frames round is one transfer of concatenated records: `page u32 | flags u8 | frameBytes u32 | frame`
 * (big-endian). Each record rewrites the bytes at `page * 4096`; no record depends on another, so transfers of
 * one round may be applied in any order (a page appears at most once per round, and rounds do not overlap).
 */
const RECORD_HEADER_BYTES = 9
/** The frame is a run of consecutive pages compressed as one chunk (round 1 on an internet path). */
export const FLAG_PLAIN = 2
/**
 * The frame is one page, a delta against the version the receiver holds in its own image when the sender knew
 * that version (else zero, zstd or raw); it names that version's CRC32C, so a receiver holding another one
 * refuses it.
 */
export const FLAG_PAGE = 4

/** The name a page's frame carries, checked by the receiver. */
export function pageFrameId(page: number): string {
  return `p${page}`
}

/** The sender's side: encodes pages into records. */
export class RecordWriter {
  readonly #parts: Uint8Array[] = []
  #bytes = 0

  /**
   * @param plainCodec - compresses runs of pages for {@link addPlain} (a zstd codec)
   * @param level - zstd level of pages sent whole or as `zstd-delta`
   */
  constructor(
    private readonly plainCodec: Codec,
    private readonly level: number,
    private readonly mode: Mode,
  ) {}

  /** Bytes of records so far. */
  get bytes(): number {
    return this.#bytes
  }

  /**
   * Adds page `page` (its current bytes), as a delta against `receiverVersion` (the version the receiver holds)
   * when given, else whole. Synchronous: a delta round encodes hundreds of thousands of pages.
   */
  addPage(page: number, bytes: Uint8Array, receiverVersion: Uint8Array | undefined): void {
    const { frame } = encodePageAgainst(bytes, pageFrameId(page), receiverVersion, this.level)
    this.#push(page, FLAG_PAGE, frame)
  }

  /** Adds a run of pages starting at `page`, compressed as one chunk. */
  async addPlain(page: number, bytes: Uint8Array): Promise<void> {
    const { frame } = await this.plainCodec.encode(bytes, { mode: this.mode })
    this.#push(page, FLAG_PLAIN, frame)
  }

  /** The records so far, concatenated; the writer starts empty again. */
  take(): Uint8Array {
    const out = Buffer.concat(this.#parts, this.#bytes)
    this.#parts.length = 0
    this.#bytes = 0
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }

  #push(page: number, flags: number, frame: Uint8Array): void {
    const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES)
    header.writeUInt32BE(page, 0)
    header.writeUInt8(flags, 4)
    header.writeUInt32BE(frame.byteLength, 5)
    this.#parts.push(header, frame)
    this.#bytes += RECORD_HEADER_BYTES + frame.byteLength
  }
}

/** What the receiver needs to apply records: its image and the codec of plain runs. */
export interface RecordTarget {
  pageCount: number
  readPage(page: number): Uint8Array
  write(offsetBytes: number, bytes: Uint8Array): void
  plainCodec: Codec
  mode: Mode
}

/**
 * The receiver's side: applies records in order. Every length is checked against the image before use; a bad
 * record is `DWCP_ERR_FRAME_CORRUPT` (or `DWCP_ERR_FRAME_TOO_LARGE` for an oversized one). Returns the pages
 * written.
 */
export async function applyRecords(bytes: Uint8Array, target: RecordTarget): Promise<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let pages = 0
  for (let offset = 0; offset < bytes.byteLength; ) {
    if (bytes.byteLength - offset < RECORD_HEADER_BYTES)
      throw new FrameCorruptError('truncated record header')
    const page = view.getUint32(offset)
    const flags = view.getUint8(offset + 4)
    const frameBytes = view.getUint32(offset + 5)
    offset += RECORD_HEADER_BYTES
    if (page >= target.pageCount) throw new FrameCorruptError(`record for page ${page} outside the image`)
    if (frameBytes > bytes.byteLength - offset)
      throw new FrameTooLargeError(frameBytes, bytes.byteLength - offset)
    const frame = bytes.subarray(offset, offset + frameBytes)
    offset += frameBytes
    let decoded: Uint8Array
    if (flags === FLAG_PAGE) {
      decoded = decodePageAgainst(frame, pageFrameId(page), target.readPage(page), PAGE_BYTES)
      if (decoded.byteLength !== PAGE_BYTES)
        throw new FrameCorruptError(`page record ${page} decodes to ${decoded.byteLength} bytes`)
    } else if (flags === FLAG_PLAIN) {
      decoded = await target.plainCodec.decode(frame, { mode: target.mode })
    } else {
      throw new FrameCorruptError(`record for page ${page} has unknown flags ${flags}`)
    }
    if (
      decoded.byteLength % PAGE_BYTES !== 0 ||
      page * PAGE_BYTES + decoded.byteLength > target.pageCount * PAGE_BYTES
    )
      throw new FrameCorruptError(`record for page ${page} does not fit the image`)
    target.write(page * PAGE_BYTES, decoded)
    pages += decoded.byteLength / PAGE_BYTES
  }
  return pages
}
