/**
 * One page as a delta against a baseline both sides already have outside any baseline store: the version of
 * the page the receiver holds in its own image (a live migration knows it on the sending side because it kept
 * the version it last sent). No store is consulted or updated, so pages can be encoded and applied in any
 * order; the frame still names the baseline's CRC32C, so a receiver holding another version gets an error, not
 * wrong bytes.
 */
import { type BaselineStore, FrameCorruptError } from '@dwcp/core'
import { decodeFrame } from '../frame.js'
import { type DeltaPageAlgorithm, decodePage, encodePage } from './delta-page.js'

/** One encoded page: its frame and the algorithm that made it. */
export interface PageDeltaFrame {
  frame: Uint8Array
  algorithm: DeltaPageAlgorithm
}

/**
 * Encodes `page` as one frame: `zero`, `same`, `xbzrle` or `zstd-delta` against `baseline` when given and
 * smaller, else `zstd` or `none`. `pageId` names the page in the frame (the receiver checks it).
 *
 * @param level - zstd level of the `zstd-delta` and `zstd` forms
 */
export function encodePageAgainst(
  page: Uint8Array,
  pageId: string,
  baseline: Uint8Array | undefined,
  level: number,
): PageDeltaFrame {
  const encoded = encodePage(page, pageId, baseline, level)
  return { frame: encoded.frame, algorithm: encoded.algorithm }
}

/**
 * Decodes a frame from {@link encodePageAgainst} into the page. `baseline` is the receiver's version of the
 * page (needed only by delta frames); `maxPageBytes` bounds what a frame may announce.
 *
 * @throws FrameCorruptError when the frame is malformed, fails its checksum, names another page, or was
 *   encoded against another version than `baseline`
 * @throws FrameTooLargeError when it announces more than `maxPageBytes`
 */
export function decodePageAgainst(
  frame: Uint8Array,
  pageId: string,
  baseline: Uint8Array | undefined,
  maxPageBytes: number,
): Uint8Array {
  const decoded = decodeFrame(frame, { maxOriginalBytes: maxPageBytes })
  const store: BaselineStore | undefined =
    baseline === undefined
      ? undefined
      : {
          get: (id) => (id === pageId ? baseline : undefined),
          has: (id) => id === pageId,
          put: () => {
            throw new FrameCorruptError('a page delta does not keep baselines')
          },
        }
  return decodePage(decoded, pageId, store)
}
