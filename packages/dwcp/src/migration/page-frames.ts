import { type Codec, FrameCorruptError, FrameTooLargeError, type Mode } from '@dwcp/core'
import { decodePageAgainst, encodePageAgainst, frameCrc32c } from '@dwcp/hde'
import type { DwcpNode } from '../node.js'
import { PAGE_BYTES } from './file-workload.js'
import { spanEnd } from './page-spans.js'

/** Most pages of one plain run (1 MiB): zstd compresses a run as one chunk, better than page by page. */
export const PLAIN_RUN_MAX_PAGES = 256

/**
 * The codec plain runs to `peer` are encoded with: the node's codec for that path, told the path's class and
 * forecast at each run (so a run goes as zero, lz4, zstd or raw as the node would send any chunk). Its frames
 * are decoded by the target node's decoder; a run decoding to more than {@link PLAIN_RUN_MAX_PAGES} pages is
 * refused there.
 */
export function pathCodec(node: DwcpNode, peer: string): Codec {
  const codec = node.codecFor(peer)
  return {
    name: codec.name,
    encode: (chunk) => codec.encode(chunk, node.codecContext(peer)),
    decode: (frame, context) => codec.decode(frame, context),
  }
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

/**
 * The frame patches one page the receiver holds: `crc u32 | ranges u8 | (offset u16 | length u16 | bytes)*`
 * (big-endian), the byte ranges the writer changed since the page was last sent, and the CRC32C of the whole
 * page afterwards, which the receiver checks (a patch applied to another version gives another page).
 */
export const FLAG_PATCH = 8

/** The name a page's frame carries, checked by the receiver. */
export function pageFrameId(page: number): string {
  return `p${page}`
}

/** The sender's side: encodes pages into records. */
export class RecordWriter {
  readonly #parts: Uint8Array[] = []
  #bytes = 0
  #records = 0
  #patches = 0
  #wholePages = 0

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
   * Pages sent as patches of the version the receiver holds (delta hits) and pages sent whole (misses), since
   * the writer was made; {@link take} does not reset them.
   */
  get pageCounts(): { patches: number; wholePages: number } {
    return { patches: this.#patches, wholePages: this.#wholePages }
  }

  /** Records so far. */
  get records(): number {
    return this.#records
  }

  /**
   * Adds page `page` (its current bytes), as a delta against `receiverVersion` (the version the receiver holds)
   * when given, else whole. Synchronous: a delta round encodes hundreds of thousands of pages.
   */
  addPage(page: number, bytes: Uint8Array, receiverVersion: Uint8Array | undefined): void {
    const { frame } = encodePageAgainst(bytes, pageFrameId(page), receiverVersion, this.level)
    if (receiverVersion) this.#patches++
    else this.#wholePages++
    this.#push(page, FLAG_PAGE, frame)
  }

  /**
   * Adds page `page` (its current bytes) as a patch of the version the receiver holds: the byte ranges in
   * `ranges` (`[start, end, …]` within the page, ascending, disjoint).
   */
  addPatch(page: number, bytes: Uint8Array, ranges: readonly number[]): void {
    let length = 5
    for (let k = 0; k < ranges.length; k += 2) length += 4 + (ranges[k + 1]! - ranges[k]!)
    const frame = Buffer.allocUnsafe(length)
    frame.writeUInt32BE(frameCrc32c(bytes), 0)
    frame.writeUInt8(ranges.length / 2, 4)
    let at = 5
    for (let k = 0; k < ranges.length; k += 2) {
      const start = ranges[k]!
      const end = ranges[k + 1]!
      frame.writeUInt16BE(start, at)
      frame.writeUInt16BE(end - start, at + 2)
      frame.set(bytes.subarray(start, end), at + 4)
      at += 4 + end - start
    }
    this.#patches++
    this.#push(page, FLAG_PATCH, frame)
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
    this.#records = 0
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }

  #push(page: number, flags: number, frame: Uint8Array): void {
    const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES)
    header.writeUInt32BE(page, 0)
    header.writeUInt8(flags, 4)
    header.writeUInt32BE(frame.byteLength, 5)
    this.#parts.push(header, frame)
    this.#bytes += RECORD_HEADER_BYTES + frame.byteLength
    this.#records++
  }
}

/** What the receiver needs to apply records: its image and the codec of plain runs. */
export interface RecordTarget {
  pageCount: number
  /** Reads `lengthBytes` at `offsetBytes` (inside the image). */
  read(offsetBytes: number, lengthBytes: number): Uint8Array
  write(offsetBytes: number, bytes: Uint8Array): void
  plainCodec: Codec
  mode: Mode
}

interface RecordView {
  page: number
  flags: number
  frame: Uint8Array
}

/**
 * The receiver's side: applies records in order. Every length is checked against the image before anything
 * is decoded; a bad record is `DWCP_ERR_FRAME_CORRUPT` (or `DWCP_ERR_FRAME_TOO_LARGE` for an oversized one).
 * Page records for nearby pages are applied to one span read and written with one call each (see
 * `page-spans.ts`). Returns the pages written.
 */
export async function applyRecords(bytes: Uint8Array, target: RecordTarget): Promise<number> {
  const records = parseRecords(bytes, target.pageCount)
  let pages = 0
  for (let r = 0; r < records.length; ) {
    const record = records[r]!
    if (record.flags === FLAG_PLAIN) {
      const decoded = await target.plainCodec.decode(record.frame, { mode: target.mode })
      if (
        decoded.byteLength % PAGE_BYTES !== 0 ||
        decoded.byteLength > PLAIN_RUN_MAX_PAGES * PAGE_BYTES ||
        record.page * PAGE_BYTES + decoded.byteLength > target.pageCount * PAGE_BYTES
      )
        throw new FrameCorruptError(`record for page ${record.page} does not fit the image`)
      target.write(record.page * PAGE_BYTES, decoded)
      pages += decoded.byteLength / PAGE_BYTES
      r++
      continue
    }
    // FLAG_PAGE and FLAG_PATCH: a span of nearby page records, applied to the image's versions in one read.
    const end = spanEnd(records.length, r, (k) =>
      records[k]!.flags === FLAG_PLAIN ? Number.NEGATIVE_INFINITY : records[k]!.page,
    )
    const first = record.page
    const span = target.read(first * PAGE_BYTES, (records[end - 1]!.page - first + 1) * PAGE_BYTES)
    for (let k = r; k < end; k++) {
      const { page, flags, frame } = records[k]!
      const at = (page - first) * PAGE_BYTES
      const held = span.subarray(at, at + PAGE_BYTES)
      if (flags === FLAG_PATCH) {
        applyPatch(page, frame, held)
        continue
      }
      const decoded = decodePageAgainst(frame, pageFrameId(page), held, PAGE_BYTES)
      if (decoded.byteLength !== PAGE_BYTES)
        throw new FrameCorruptError(`page record ${page} decodes to ${decoded.byteLength} bytes`)
      span.set(decoded, at)
    }
    target.write(first * PAGE_BYTES, span)
    pages += end - r
    r = end
  }
  return pages
}

/** Applies a patch frame to `held` (the receiver's page, changed in place) and checks the result's CRC32C. */
function applyPatch(page: number, frame: Uint8Array, held: Uint8Array): void {
  if (frame.byteLength < 5) throw new FrameCorruptError(`patch of page ${page} is truncated`)
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const expectedCrc = view.getUint32(0)
  const ranges = view.getUint8(4)
  let at = 5
  for (let k = 0; k < ranges; k++) {
    if (frame.byteLength - at < 4) throw new FrameCorruptError(`patch of page ${page} is truncated`)
    const offset = view.getUint16(at)
    const length = view.getUint16(at + 2)
    at += 4
    if (offset + length > PAGE_BYTES || length > frame.byteLength - at)
      throw new FrameCorruptError(
        `patch of page ${page}: range ${offset}+${length} is outside the page or frame`,
      )
    held.set(frame.subarray(at, at + length), offset)
    at += length
  }
  if (at !== frame.byteLength) throw new FrameCorruptError(`patch of page ${page} has trailing bytes`)
  if (frameCrc32c(held) !== expectedCrc)
    throw new FrameCorruptError(
      `page ${page} does not match after patching: the receiver held another version`,
    )
}

/** Splits `bytes` into records, checking every header against the buffer and the image. */
function parseRecords(bytes: Uint8Array, pageCount: number): RecordView[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const records: RecordView[] = []
  for (let offset = 0; offset < bytes.byteLength; ) {
    if (bytes.byteLength - offset < RECORD_HEADER_BYTES)
      throw new FrameCorruptError('truncated record header')
    const page = view.getUint32(offset)
    const flags = view.getUint8(offset + 4)
    const frameBytes = view.getUint32(offset + 5)
    offset += RECORD_HEADER_BYTES
    if (page >= pageCount) throw new FrameCorruptError(`record for page ${page} outside the image`)
    if (flags !== FLAG_PAGE && flags !== FLAG_PLAIN && flags !== FLAG_PATCH)
      throw new FrameCorruptError(`record for page ${page} has unknown flags ${flags}`)
    if (frameBytes > bytes.byteLength - offset)
      throw new FrameTooLargeError(frameBytes, bytes.byteLength - offset)
    records.push({ page, flags, frame: bytes.subarray(offset, offset + frameBytes) })
    offset += frameBytes
  }
  return records
}
