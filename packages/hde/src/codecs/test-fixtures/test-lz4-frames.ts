/**
 * Builds LZ4 frames byte by byte for the tests, so that every branch of the frame reader (content size, block
 * and content checksums, linked blocks, reserved bits) can be reached without an encoder that writes them.
 */
import { xxh32 } from '../xxh32.js'

/** One block of a hand-built frame. */
export interface TestLz4Block {
  /** Block bytes as stored: LZ4 sequences, or the data itself when `stored`. */
  data: Uint8Array
  /** Whether the block is stored uncompressed (high bit of its size word). */
  stored?: boolean
}

/** What a hand-built frame contains. */
export interface TestLz4Frame {
  blocks: TestLz4Block[]
  /** Decoded content, for the content checksum. */
  content?: Uint8Array
  independent?: boolean
  blockChecksums?: boolean
  contentChecksum?: boolean
  contentSizeBytes?: bigint
  /** BD byte; 0x40 is 64 KiB blocks. */
  bd?: number
  /** Bits OR-ed into the FLG byte after the others (reserved bits, dictionary id). */
  extraFlags?: number
}

/** Little-endian u32 as four bytes. */
export function u32le(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]
}

/** Serializes `frame` with a correct header checksum. */
export function buildLz4Frame(frame: TestLz4Frame): Uint8Array {
  const { independent = true, blockChecksums = false, contentChecksum = false, bd = 0x40 } = frame
  let flags = 0x40
  if (independent) flags |= 0x20
  if (blockChecksums) flags |= 0x10
  if (frame.contentSizeBytes !== undefined) flags |= 0x08
  if (contentChecksum) flags |= 0x04
  flags |= frame.extraFlags ?? 0
  const descriptor = [flags, bd]
  if (frame.contentSizeBytes !== undefined) {
    const size = new Uint8Array(8)
    new DataView(size.buffer).setBigUint64(0, frame.contentSizeBytes, true)
    descriptor.push(...size)
  }
  if ((flags & 0x01) !== 0) descriptor.push(...u32le(0x1234))
  const out = [...u32le(0x184d2204), ...descriptor, (xxh32(Uint8Array.from(descriptor)) >>> 8) & 0xff]
  for (const block of frame.blocks) {
    out.push(...u32le((block.data.length | (block.stored ? 0x8000_0000 : 0)) >>> 0), ...block.data)
    if (blockChecksums) out.push(...u32le(xxh32(block.data)))
  }
  out.push(...u32le(0))
  if (contentChecksum) out.push(...u32le(xxh32(frame.content ?? new Uint8Array(0))))
  return Uint8Array.from(out)
}
