import { type BaselineStore, type Codec, FrameCorruptError, FrameTooLargeError, type Mode } from '@dwcp/core'
import { pageBaselineId } from '@dwcp/hde'
import { PAGE_BYTES } from './file-workload.js'

/**
 * A frames round is one transfer of concatenated records, applied in order:
 * `page u32 | flags u8 | frameBytes u32 | frame` (big-endian). The frame is a `delta` codec chunk (one or more
 * pages); it decodes to the bytes at `page * 4096`.
 */
const RECORD_HEADER_BYTES = 9
/** Before decoding, put the receiver's current version of the page (from its image) as the page's baseline. */
export const FLAG_SEED = 1
/** The chunk keeps no baselines (round 1 in compressed form: the stores stay small). */
export const FLAG_NO_BASELINE = 2

/** The baseline chunk id of a page: both sides key baselines by page index. */
export function pageChunkId(page: number): string {
  return `p${page}`
}

/** The sender's side: encodes pages into records, keeping the baseline store in step with the receiver's. */
export class RecordWriter {
  readonly #parts: Uint8Array[] = []
  #bytes = 0

  constructor(
    private readonly codec: Codec,
    private readonly baselines: BaselineStore,
    private readonly mode: Mode,
  ) {}

  /** Bytes of records so far. */
  get bytes(): number {
    return this.#bytes
  }

  /**
   * Adds page `page` as a delta against what the receiver holds. `sentVersion` is that version when the store
   * lacks it (kept by the workload when the page was first changed after its last send): both sides then put it
   * as the baseline first.
   */
  async addPage(page: number, bytes: Uint8Array, sentVersion: Uint8Array | undefined): Promise<void> {
    const chunkId = pageChunkId(page)
    let flags = 0
    if (sentVersion && !this.baselines.has(pageBaselineId(chunkId, 0))) {
      this.baselines.put(pageBaselineId(chunkId, 0), sentVersion)
      flags |= FLAG_SEED
    }
    const { frame } = await this.codec.encode(bytes, {
      mode: this.mode,
      baselines: this.baselines,
      baselineId: chunkId,
    })
    this.#push(page, flags, frame)
  }

  /** Adds a run of pages starting at `page`, compressed without baselines. */
  async addPlain(page: number, bytes: Uint8Array): Promise<void> {
    const { frame } = await this.codec.encode(bytes, { mode: this.mode })
    this.#push(page, FLAG_NO_BASELINE, frame)
  }

  /** The records so far, concatenated; the writer starts empty again. */
  take(): Uint8Array {
    const out = Buffer.concat(this.#parts, this.#bytes)
    this.#parts.length = 0
    this.#bytes = 0
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  }

  #push(page: number, flags: number, frame: Uint8Array): void {
    const header = new Uint8Array(RECORD_HEADER_BYTES)
    const view = new DataView(header.buffer)
    view.setUint32(0, page)
    view.setUint8(4, flags)
    view.setUint32(5, frame.byteLength)
    this.#parts.push(header, frame)
    this.#bytes += RECORD_HEADER_BYTES + frame.byteLength
  }
}

/** What the receiver needs to apply records: its image, codec and baseline store. */
export interface RecordTarget {
  pageCount: number
  readPage(page: number): Uint8Array
  write(offsetBytes: number, bytes: Uint8Array): void
  codec: Codec
  baselines: BaselineStore
  mode: Mode
}

/**
 * The receiver's side: applies records in order, seeding baselines from its image where the sender says so.
 * Every length is checked against the image before use; a bad record is `DWCP_ERR_FRAME_CORRUPT`.
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
    const chunkId = pageChunkId(page)
    if (flags & FLAG_SEED) target.baselines.put(pageBaselineId(chunkId, 0), target.readPage(page))
    const decoded =
      flags & FLAG_NO_BASELINE
        ? await target.codec.decode(frame, { mode: target.mode })
        : await target.codec.decode(frame, {
            mode: target.mode,
            baselines: target.baselines,
            baselineId: chunkId,
          })
    if (page * PAGE_BYTES + decoded.byteLength > target.pageCount * PAGE_BYTES)
      throw new FrameCorruptError(`record for page ${page} runs past the image`)
    target.write(page * PAGE_BYTES, decoded)
    pages += Math.ceil(decoded.byteLength / PAGE_BYTES)
  }
  return pages
}
