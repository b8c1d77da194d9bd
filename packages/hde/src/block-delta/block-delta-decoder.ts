import { crc32 } from 'node:zlib'
import { FrameCorruptError, FrameTooLargeError, InvalidArgumentError } from '@dwcp/core'
import { zstdDecompressPayload } from '../codecs/zstd-payload.js'
import { readUleb128 } from '../delta/uleb128.js'
import { decodeXbzrle } from '../delta/xbzrle.js'
import { blockListDigest } from './block-delta-encoder.js'
import {
  BLOCK_DELTA_HEADER_BYTES,
  BlockOp,
  MAX_BLOCK_BYTES,
  MIN_BLOCK_BYTES,
  readBlockDeltaHeader,
} from './block-delta-format.js'

/** Options of {@link decodeBlockDelta}. */
export interface DecodeBlockDeltaOptions {
  /** Largest target the caller is prepared to allocate; checked before anything is. */
  maxTargetBytes: number
}

/**
 * Rebuilds the target of a block delta from the `base` it was computed against. Every operation is checked
 * against the sizes before it is applied, and the result against the target's digest, so a damaged delta, or a
 * delta applied to another base, gives `DWCP_ERR_FRAME_CORRUPT` and never wrong bytes.
 *
 * @throws FrameCorruptError for a malformed delta, a base of another size, or a sha256 mismatch
 * @throws FrameTooLargeError when the target is larger than `maxTargetBytes`
 */
export function decodeBlockDelta(
  base: Uint8Array,
  delta: Uint8Array,
  options: DecodeBlockDeltaOptions,
): Uint8Array {
  const { maxTargetBytes } = options
  if (!Number.isSafeInteger(maxTargetBytes) || maxTargetBytes < 0)
    throw new InvalidArgumentError('maxTargetBytes', `${maxTargetBytes} is not a non-negative integer`)
  const header = readBlockDeltaHeader(delta)
  if ('error' in header) throw new FrameCorruptError(`block delta: ${header.error}`)
  const { blockBytes, targetBytes } = header
  if (blockBytes < MIN_BLOCK_BYTES || blockBytes > MAX_BLOCK_BYTES || (blockBytes & (blockBytes - 1)) !== 0)
    throw new FrameCorruptError(`block delta: block size ${blockBytes} is not a power of two in range`)
  if (header.baseBytes !== base.byteLength)
    throw new FrameCorruptError(
      `block delta: made against a ${header.baseBytes}-byte base, given ${base.byteLength}`,
    )
  if (targetBytes > maxTargetBytes) throw new FrameTooLargeError(targetBytes, maxTargetBytes)
  const sectionsBytes = header.opsBytes + header.deltasBytes + header.literalBytes
  if (BLOCK_DELTA_HEADER_BYTES + sectionsBytes !== delta.byteLength)
    throw new FrameCorruptError(
      `block delta: sections of ${sectionsBytes} bytes in a ${delta.byteLength}-byte delta`,
    )
  const targetBlocks = Math.floor(targetBytes / blockBytes)
  const baseBlocks = Math.floor(base.byteLength / blockBytes)
  if (header.literalBlocks > targetBlocks)
    throw new FrameCorruptError(`block delta: ${header.literalBlocks} literal blocks in ${targetBlocks}`)
  const tailBytes = targetBytes - targetBlocks * blockBytes
  const literalTotal = header.literalBlocks * blockBytes + tailBytes

  const deltasAt = BLOCK_DELTA_HEADER_BYTES + header.opsBytes
  const literalsAt = deltasAt + header.deltasBytes
  const ops = delta.subarray(BLOCK_DELTA_HEADER_BYTES, deltasAt)
  const deltas = delta.subarray(deltasAt, literalsAt)
  const literalPayload = delta.subarray(literalsAt)
  let literal: Uint8Array
  if (literalTotal === 0) {
    if (literalPayload.byteLength !== 0)
      throw new FrameCorruptError('block delta: a literal stream with nothing in it')
    literal = new Uint8Array(0)
  } else {
    literal = zstdDecompressPayload(literalPayload, {
      maxOutputBytes: literalTotal,
      expectedBytes: literalTotal,
      maxWindowLog: 27,
    })
  }

  const target = new Uint8Array(targetBytes)
  const baseBlock = (i: number): Uint8Array => base.subarray(i * blockBytes, (i + 1) * blockBytes)
  let cursor = 0
  let opAt = 0
  let deltaAt = 0
  let literalAt = 0
  while (opAt < ops.byteLength) {
    const op = readUleb128(ops, opAt, targetBlocks * 4 + 3, 'block operation')
    opAt = op.next
    const kind = op.value % 4
    const count = Math.floor(op.value / 4)
    if (count === 0 || cursor + count > targetBlocks)
      throw new FrameCorruptError(
        `block delta: an operation of ${count} blocks at block ${cursor} of ${targetBlocks}`,
      )
    if (kind === BlockOp.same) {
      if (cursor + count > baseBlocks)
        throw new FrameCorruptError(`block delta: same blocks past the base at ${cursor}`)
      target.set(base.subarray(cursor * blockBytes, (cursor + count) * blockBytes), cursor * blockBytes)
    } else if (kind === BlockOp.copy) {
      const source = readUleb128(ops, opAt, baseBlocks, 'copy source')
      opAt = source.next
      if (source.value + count > baseBlocks)
        throw new FrameCorruptError(`block delta: copy of ${count} blocks from ${source.value} past the base`)
      target.set(
        base.subarray(source.value * blockBytes, (source.value + count) * blockBytes),
        cursor * blockBytes,
      )
    } else if (kind === BlockOp.delta) {
      if (cursor + count > baseBlocks)
        throw new FrameCorruptError(`block delta: deltas past the base at ${cursor}`)
      for (let i = 0; i < count; i++) {
        const length = readUleb128(deltas, deltaAt, blockBytes * 2, 'delta length')
        if (length.next + length.value > deltas.byteLength)
          throw new FrameCorruptError(`block delta: delta of block ${cursor + i} runs past its section`)
        const rebuilt = decodeXbzrle(
          deltas.subarray(length.next, length.next + length.value),
          baseBlock(cursor + i),
        )
        target.set(rebuilt, (cursor + i) * blockBytes)
        deltaAt = length.next + length.value
      }
    } else {
      if (literalAt + count * blockBytes > header.literalBlocks * blockBytes)
        throw new FrameCorruptError(
          `block delta: more literal blocks than the ${header.literalBlocks} announced`,
        )
      target.set(literal.subarray(literalAt, literalAt + count * blockBytes), cursor * blockBytes)
      literalAt += count * blockBytes
    }
    cursor += count
  }
  if (cursor !== targetBlocks)
    throw new FrameCorruptError(`block delta: operations cover ${cursor} of ${targetBlocks} blocks`)
  if (deltaAt !== deltas.byteLength)
    throw new FrameCorruptError('block delta: unused bytes in the deltas section')
  if (literalAt !== header.literalBlocks * blockBytes)
    throw new FrameCorruptError('block delta: literal blocks announced but not used')
  target.set(literal.subarray(literalAt), targetBlocks * blockBytes)
  const crcs = new Uint32Array(targetBlocks + 1)
  for (let i = 0; i <= targetBlocks; i++)
    crcs[i] = crc32(target.subarray(i * blockBytes, (i + 1) * blockBytes))
  const digest = Buffer.from(blockListDigest(crcs))
  if (!digest.equals(header.targetSha256))
    throw new FrameCorruptError('block delta: the rebuilt target does not match its digest')
  return target
}
