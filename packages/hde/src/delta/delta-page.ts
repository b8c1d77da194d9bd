/**
 * One page of the delta codec: which frame a page becomes, and how a frame becomes a page again. The choice,
 * cheapest first: an all-zero page is `zero`; a page equal to its baseline is `same`; a changed page is the
 * smaller of `xbzrle` and `zstd-delta` if that beats the raw page (zstd-delta is not tried when the XBZRLE delta
 * is at most 256 bytes); otherwise (no usable baseline, or a delta
 * no smaller than the page) the smaller of plain `zstd` and `none`.
 */
import { type BaselineStore, FrameCorruptError } from '@dwcp/core'
import { frameCrc32c } from '../checksum.js'
import { type DecodedFrame, encodeFrame, type FrameAlgorithm } from '../frame.js'
import { parseVersionedBaselineName, versionedBaselineName } from './baseline-name.js'
import { decodeXbzrle, encodeXbzrle } from './xbzrle.js'
import { compressZstdPage, decompressZstdPage, zstdDeltaApplies } from './zstd-page.js'

/** An XBZRLE delta this small is kept without trying zstd-delta (1/16 of a 4 KiB page). */
const SMALL_XBZRLE_BYTES = 256

/** The payload of `zero` and `same` frames. */
const EMPTY = new Uint8Array(0)

/** The frame algorithms the delta codec writes and reads. */
export type DeltaPageAlgorithm = Extract<
  FrameAlgorithm,
  'zero' | 'same' | 'xbzrle' | 'zstd-delta' | 'zstd' | 'none'
>

/** Algorithms that send a page as a difference from its baseline (or as zeros): hits for the hit rate. */
export const DELTA_HIT_ALGORITHMS: ReadonlySet<DeltaPageAlgorithm> = new Set([
  'zero',
  'same',
  'xbzrle',
  'zstd-delta',
])

/** One encoded page. */
export interface EncodedPage {
  /** Algorithm of the frame. */
  algorithm: DeltaPageAlgorithm
  /** The page's frame. */
  frame: Uint8Array
  /** Baseline name the frame carries, if it is a delta. */
  baselineName?: string
}

/**
 * Encodes one page into one frame.
 *
 * @param pageId - the page's baseline id, needed to name a baseline; without it, no delta is tried
 * @param baseline - the held baseline of the page, of the page's length, if any
 * @param level - zstd level for `zstd-delta` and `zstd`
 */
export function encodePage(
  page: Uint8Array,
  pageId: string | undefined,
  baseline: Uint8Array | undefined,
  level: number,
): EncodedPage {
  const originalBytes = page.length
  if (isAllZero(page)) {
    return { algorithm: 'zero', frame: encodeFrame({ algorithm: 'zero', originalBytes, payload: EMPTY }) }
  }
  if (pageId !== undefined && baseline !== undefined && baseline.length === page.length) {
    const delta = bestDelta(page, baseline, level)
    if (delta !== undefined) {
      const baselineName = versionedBaselineName(pageId, baseline)
      const frameLevel = delta.algorithm === 'zstd-delta' ? level : 0
      const frame = encodeFrame({
        algorithm: delta.algorithm,
        level: frameLevel,
        baselineId: baselineName,
        originalBytes,
        payload: delta.payload,
      })
      return { algorithm: delta.algorithm, frame, baselineName }
    }
  }
  const compressed = compressZstdPage(page, level)
  if (compressed.length < originalBytes) {
    return {
      algorithm: 'zstd',
      frame: encodeFrame({ algorithm: 'zstd', level, originalBytes, payload: compressed }),
    }
  }
  return { algorithm: 'none', frame: encodeFrame({ algorithm: 'none', originalBytes, payload: page }) }
}

/** The smaller delta of `page` against `baseline`, if one is smaller than the page. */
function bestDelta(
  page: Uint8Array,
  baseline: Uint8Array,
  level: number,
): { algorithm: 'same' | 'xbzrle' | 'zstd-delta'; payload: Uint8Array } | undefined {
  // XBZRLE is bounded by the page minus one byte: a delta as large as the page is no delta at all.
  const xbzrle = encodeXbzrle(page, baseline, page.length - 1)
  if (xbzrle !== undefined && xbzrle.length === 0) return { algorithm: 'same', payload: EMPTY }
  let best: { algorithm: 'xbzrle' | 'zstd-delta'; payload: Uint8Array } | undefined =
    xbzrle === undefined ? undefined : { algorithm: 'xbzrle', payload: xbzrle }
  // A page dirtied by a few small writes gives an XBZRLE delta of a few dozen bytes: zstd with the baseline as
  // dictionary could shave only a few more, and costs ten times XBZRLE's time (loading the dictionary), which
  // decides whether a live migration keeps up with the pages a guest dirties each second.
  if (best !== undefined && best.payload.length <= SMALL_XBZRLE_BYTES) return best
  if (zstdDeltaApplies(baseline)) {
    const zstd = compressZstdPage(page, level, baseline)
    if (zstd.length < (best?.payload.length ?? page.length)) best = { algorithm: 'zstd-delta', payload: zstd }
  }
  return best
}

/**
 * Decodes one verified frame into its page.
 *
 * @param expectedPageId - the page id the decoding side derives for this page; a delta frame must name it
 * @param baselines - the receiver's baselines
 * @throws FrameCorruptError when the algorithm is not one of {@link DeltaPageAlgorithm}, a frame names a
 *   baseline it must not (or names none when it must), names another page, names a baseline that is not held
 *   ("baseline X is not held") or a version other than the one held, or its payload is malformed
 */
export function decodePage(
  frame: DecodedFrame,
  expectedPageId: string | undefined,
  baselines: BaselineStore | undefined,
): Uint8Array {
  const { algorithm, originalBytes, payload } = frame
  switch (algorithm) {
    case 'zero':
      refuseBaseline(frame)
      requireEmptyPayload(frame)
      return new Uint8Array(originalBytes)
    case 'none':
      refuseBaseline(frame)
      if (payload.length !== originalBytes) {
        throw new FrameCorruptError(`none payload of ${payload.length} bytes, original size ${originalBytes}`)
      }
      return new Uint8Array(payload) // a copy: Buffer.slice() would be a view
    case 'zstd':
      refuseBaseline(frame)
      return decompressZstdPage(payload, originalBytes)
    case 'same': {
      const baseline = heldBaseline(frame, expectedPageId, baselines)
      requireEmptyPayload(frame)
      return new Uint8Array(baseline) // a copy: Buffer.slice() would be a view
    }
    case 'xbzrle':
      return decodeXbzrle(payload, heldBaseline(frame, expectedPageId, baselines))
    case 'zstd-delta':
      return decompressZstdPage(payload, originalBytes, heldBaseline(frame, expectedPageId, baselines))
    default:
      throw new FrameCorruptError(`the delta codec cannot decode algorithm ${algorithm}`)
  }
}

/** The baseline a delta frame names, checked against the page it must be and the version it must have. */
function heldBaseline(
  frame: DecodedFrame,
  expectedPageId: string | undefined,
  baselines: BaselineStore | undefined,
): Uint8Array {
  if (frame.baselineId === undefined) {
    throw new FrameCorruptError(`${frame.algorithm} frame names no baseline`)
  }
  const { pageId, crc32c: expectedCrc } = parseVersionedBaselineName(frame.baselineId)
  if (expectedPageId === undefined) {
    throw new FrameCorruptError(`frame names baseline ${pageId}, but the decode context gives no baselineId`)
  }
  if (pageId !== expectedPageId) {
    throw new FrameCorruptError(
      `frame names baseline ${pageId}, the page at its position is ${expectedPageId}`,
    )
  }
  const baseline = baselines?.get(pageId)
  if (baseline === undefined) {
    const why = baselines === undefined ? ' (no baseline store in the context)' : ''
    throw new FrameCorruptError(`baseline ${pageId} is not held${why}`)
  }
  if (baseline.length !== frame.originalBytes) {
    throw new FrameCorruptError(
      `baseline ${pageId} holds ${baseline.length} bytes, the frame announces ${frame.originalBytes}`,
    )
  }
  const heldCrc = frameCrc32c(baseline)
  if (heldCrc !== expectedCrc) {
    throw new FrameCorruptError(
      `baseline ${pageId} is held as version ${hex32(heldCrc)}, the frame was encoded against ${hex32(expectedCrc)}`,
    )
  }
  return baseline
}

function refuseBaseline(frame: DecodedFrame): void {
  if (frame.baselineId !== undefined) {
    throw new FrameCorruptError(`${frame.algorithm} frame names a baseline (${frame.baselineId})`)
  }
}

function requireEmptyPayload(frame: DecodedFrame): void {
  if (frame.payload.length !== 0) {
    throw new FrameCorruptError(`${frame.algorithm} frame carries a payload of ${frame.payload.length} bytes`)
  }
}

/** Whether every byte is zero; compares 32-bit words where the view allows, bytes elsewhere. */
export function isAllZero(bytes: Uint8Array): boolean {
  const misalignment = bytes.byteOffset % 4
  const head = misalignment === 0 ? 0 : 4 - misalignment
  const words = Math.max(0, Math.floor((bytes.length - head) / 4))
  if (words === 0) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false
    return true
  }
  for (let i = 0; i < head; i++) if (bytes[i] !== 0) return false
  const wordView = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words)
  for (let i = 0; i < words; i++) if (wordView[i] !== 0) return false
  for (let i = head + words * 4; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0')
}
