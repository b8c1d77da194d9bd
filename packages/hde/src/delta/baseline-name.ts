/**
 * How the delta codec names baselines. A page's id is its chunk's id (`CodecContext.baselineId`) and its index
 * in the chunk: `vm-7/mem/1234` + `/0`. A delta frame names the page id and the CRC32C of the exact baseline the
 * delta was computed against: `vm-7/mem/1234/0@1c2d3e4f`. The receiver checks that CRC against the baseline it
 * holds, so a frame decoded twice, out of order or after a lost frame fails with a typed error instead of
 * being applied to the wrong version of the page.
 */
import { FrameCorruptError, InvalidArgumentError } from '@dwcp/core'
import { frameCrc32c } from '../checksum.js'
import { FRAME_BASELINE_ID_MAX_BYTES } from '../frame.js'

/** Bytes the version suffix adds to a page id: `@` and eight hex digits. */
export const BASELINE_VERSION_SUFFIX_BYTES = 9

const utf8Encoder = new TextEncoder()
const VERSIONED_NAME = /^(.+)@([0-9a-f]{8})$/s

/** A baseline name as a delta frame carries it. */
export interface VersionedBaselineName {
  /** The page id the baseline is stored under. */
  pageId: string
  /** CRC32C of the baseline's bytes. */
  crc32c: number
}

/** The id of page `pageIndex` of the chunk whose id is `chunkId`. */
export function pageBaselineId(chunkId: string, pageIndex: number): string {
  return `${chunkId}/${pageIndex}`
}

/**
 * Checks that every page of a chunk of `pageCount` pages gets a name that fits a frame header.
 *
 * @throws InvalidArgumentError when `chunkId` is empty or its longest versioned page name exceeds
 *   {@link FRAME_BASELINE_ID_MAX_BYTES} UTF-8 bytes
 */
export function checkChunkId(chunkId: string, pageCount: number): void {
  if (chunkId.length === 0) throw new InvalidArgumentError('baselineId', 'must not be empty')
  const longest = pageBaselineId(chunkId, Math.max(0, pageCount - 1))
  const nameBytes = utf8Encoder.encode(longest).length + BASELINE_VERSION_SUFFIX_BYTES
  if (nameBytes > FRAME_BASELINE_ID_MAX_BYTES) {
    throw new InvalidArgumentError(
      'baselineId',
      `page names of ${nameBytes} UTF-8 bytes exceed ${FRAME_BASELINE_ID_MAX_BYTES}`,
    )
  }
}

/** The name a delta frame carries for a delta of page `pageId` against `baseline`. */
export function versionedBaselineName(pageId: string, baseline: Uint8Array): string {
  return `${pageId}@${frameCrc32c(baseline).toString(16).padStart(8, '0')}`
}

/**
 * Splits a baseline name read from a frame into page id and CRC32C.
 *
 * @throws FrameCorruptError when the name is not `<page id>@<8 lowercase hex digits>`
 */
export function parseVersionedBaselineName(name: string): VersionedBaselineName {
  const match = VERSIONED_NAME.exec(name)
  if (match === null) {
    throw new FrameCorruptError(`baseline name ${JSON.stringify(name)} is not <page id>@<crc32c>`)
  }
  return { pageId: match[1]!, crc32c: Number.parseInt(match[2]!, 16) }
}
