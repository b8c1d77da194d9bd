/**
 * The container of a block delta (format version 1). All integers big-endian.
 *
 * | offset | size | field                                                              |
 * | ------ | ---- | ------------------------------------------------------------------ |
 * | 0      | 2    | magic `HB`                                                         |
 * | 2      | 1    | version, 1                                                         |
 * | 3      | 1    | flags, 0                                                           |
 * | 4      | 4    | block size in bytes (512 … 1 MiB, a power of two)                  |
 * | 8      | 8    | base size in bytes                                                 |
 * | 16     | 8    | target size in bytes                                               |
 * | 24     | 32   | the target's digest: sha256 of its blocks' CRC32s, tail included  |
 * | 56     | 4    | operations section size                                            |
 * | 60     | 4    | deltas section size                                                |
 * | 64     | 4    | literal section size (one zstd frame)                              |
 * | 68     | 4    | whole target blocks carried as literals                            |
 * | 72     | …    | operations, deltas, literals                                       |
 *
 * Operations are ULEB128 values `count << 2 | kind` over the target's whole blocks, in order: kind 0 `same`
 * (the base's blocks at the same positions), 1 `copy` (followed by the first base block to copy from), 2
 * `delta` (each block an XBZRLE delta against the base block at its position; its length is a ULEB128 in the
 * deltas section, followed by the delta), 3 `literal` (the next blocks of the literal stream). A target's last,
 * partial block always travels at the end of the literal stream.
 */
export const BLOCK_DELTA_MAGIC = 0x4842
/** The version this module writes and the only one it reads. */
export const BLOCK_DELTA_VERSION = 1
/** Size of the fixed header. */
export const BLOCK_DELTA_HEADER_BYTES = 72
/** Smallest and largest block size. */
export const MIN_BLOCK_BYTES = 512
export const MAX_BLOCK_BYTES = 1 << 20

/** Operation kinds (the low two bits of an operation). */
export const BlockOp = { same: 0, copy: 1, delta: 2, literal: 3 } as const

/** The header's fields. */
export interface BlockDeltaHeader {
  blockBytes: number
  baseBytes: number
  targetBytes: number
  targetSha256: Uint8Array
  opsBytes: number
  deltasBytes: number
  literalBytes: number
  literalBlocks: number
}

/** Writes the header into the first {@link BLOCK_DELTA_HEADER_BYTES} of `out`. */
export function writeBlockDeltaHeader(out: Uint8Array, header: BlockDeltaHeader): void {
  const view = new DataView(out.buffer, out.byteOffset, BLOCK_DELTA_HEADER_BYTES)
  view.setUint16(0, BLOCK_DELTA_MAGIC)
  view.setUint8(2, BLOCK_DELTA_VERSION)
  view.setUint8(3, 0)
  view.setUint32(4, header.blockBytes)
  view.setBigUint64(8, BigInt(header.baseBytes))
  view.setBigUint64(16, BigInt(header.targetBytes))
  out.set(header.targetSha256, 24)
  view.setUint32(56, header.opsBytes)
  view.setUint32(60, header.deltasBytes)
  view.setUint32(64, header.literalBytes)
  view.setUint32(68, header.literalBlocks)
}

/** Reads the header, or says why it cannot; the caller checks the values against its bounds. */
export function readBlockDeltaHeader(bytes: Uint8Array): BlockDeltaHeader | { error: string } {
  if (bytes.byteLength < BLOCK_DELTA_HEADER_BYTES) return { error: `${bytes.byteLength} bytes: no header` }
  const view = new DataView(bytes.buffer, bytes.byteOffset, BLOCK_DELTA_HEADER_BYTES)
  if (view.getUint16(0) !== BLOCK_DELTA_MAGIC) return { error: 'bad magic' }
  if (view.getUint8(2) !== BLOCK_DELTA_VERSION) return { error: `unsupported version ${view.getUint8(2)}` }
  if (view.getUint8(3) !== 0) return { error: `unknown flags ${view.getUint8(3)}` }
  const baseBytes = view.getBigUint64(8)
  const targetBytes = view.getBigUint64(16)
  if (baseBytes > BigInt(Number.MAX_SAFE_INTEGER) || targetBytes > BigInt(Number.MAX_SAFE_INTEGER))
    return { error: 'sizes beyond 2^53' }
  return {
    blockBytes: view.getUint32(4),
    baseBytes: Number(baseBytes),
    targetBytes: Number(targetBytes),
    targetSha256: bytes.slice(24, 56),
    opsBytes: view.getUint32(56),
    deltasBytes: view.getUint32(60),
    literalBytes: view.getUint32(64),
    literalBlocks: view.getUint32(68),
  }
}
