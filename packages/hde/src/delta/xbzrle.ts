/**
 * XBZRLE-style delta of a page against its baseline (the idea of QEMU's migration xbzrle, written anew): XOR the
 * new page with the baseline, then describe the XOR as alternating runs, zero bytes (unchanged) and literal bytes
 * (changed). Pages dirtied by a few word-sized writes become a few dozen bytes.
 *
 * Payload grammar (the `xbzrle` frame algorithm):
 *
 * ```
 * payload  := pair*
 * pair     := zeroRun literalRun literal{literalRun}
 * zeroRun  := ULEB128   unchanged bytes to skip; 0 only in the first pair
 * literalRun := ULEB128 ≥ 1, the number of XOR bytes that follow
 * ```
 *
 * Bytes after the last pair are unchanged (the trailing zero run is not written), so an empty payload means
 * "equal to the baseline". Every run must stay inside the page.
 */
import { FrameCorruptError, InvalidArgumentError } from '@dwcp/core'
import { readUleb128, ULEB128_MAX_BYTES, writeUleb128 } from './uleb128.js'

/**
 * Shortest stretch of unchanged bytes that ends a literal run. Splitting a literal costs at least two bytes (a
 * zero run and a new literal run length), so unchanged stretches of one or two bytes stay inside the literal.
 */
const MIN_SPLIT_ZERO_RUN = 3

/** Output buffer of {@link encodeXbzrle}, grown to the largest page seen. */
let scratch = new Uint8Array(4096 + 2 * ULEB128_MAX_BYTES + 1)

/**
 * Encodes `page` as an XBZRLE delta against `baseline` (same length), giving up as soon as the delta would
 * exceed `maxDeltaBytes`, so that a heavily rewritten page costs little time before the caller sends it another
 * way.
 *
 * @returns the payload, or `undefined` when it would be longer than `maxDeltaBytes`
 * @throws InvalidArgumentError when the lengths differ or `maxDeltaBytes` is not a non-negative integer
 */
export function encodeXbzrle(
  page: Uint8Array,
  baseline: Uint8Array,
  maxDeltaBytes: number,
): Uint8Array | undefined {
  if (page.length !== baseline.length) {
    throw new InvalidArgumentError('baseline', `${baseline.length} bytes, the page has ${page.length}`)
  }
  if (!Number.isSafeInteger(maxDeltaBytes) || maxDeltaBytes < 0) {
    throw new InvalidArgumentError('maxDeltaBytes', `${maxDeltaBytes} is not a non-negative integer`)
  }
  const n = page.length
  // This encoder never writes more than the page plus the first pair's two lengths plus one byte per 8 KiB
  // (a split costs its lengths only where it saves at least as many literal bytes, except for literals of
  // 16 KiB and more whose length takes three bytes), so the scratch buffer is bounded by the page even when
  // the caller's bound is larger.
  const limit = Math.min(maxDeltaBytes, n + 2 * ULEB128_MAX_BYTES + Math.ceil(n / 8192))
  // Written into a reused scratch buffer (deltas are usually tiny: zeroing a page-sized buffer per call cost
  // as much as the scan); the result is copied out at the end.
  if (scratch.length < limit) scratch = new Uint8Array(limit)
  const out = scratch
  const words = wordViews(page, baseline)
  let written = 0
  let i = 0
  while (i < n) {
    const zeroStart = i
    i = words === undefined ? skipEqualBytes(page, baseline, i) : skipEqualWords(page, baseline, i, words)
    if (i === n) break
    const zeroRun = i - zeroStart
    const literalStart = i
    const literalEnd = findLiteralEnd(page, baseline, i)
    const literalRun = literalEnd - literalStart
    written = writeUleb128(zeroRun, out, written, limit)
    if (written < 0) return undefined
    written = writeUleb128(literalRun, out, written, limit)
    if (written < 0 || written + literalRun > limit) return undefined
    for (let k = literalStart; k < literalEnd; k++) out[written++] = page[k]! ^ baseline[k]!
    i = literalEnd
  }
  return out.slice(0, written)
}

/**
 * 32-bit views of both pages when their byte offsets allow (equal alignment): unchanged stretches are then
 * skipped four bytes at a compare, which makes a page with a few small writes several times cheaper to encode.
 */
function wordViews(page: Uint8Array, baseline: Uint8Array): [Uint32Array, Uint32Array] | undefined {
  if (page.byteOffset % 4 !== 0 || baseline.byteOffset % 4 !== 0) return undefined
  const count = page.length >>> 2
  return [
    new Uint32Array(page.buffer, page.byteOffset, count),
    new Uint32Array(baseline.buffer, baseline.byteOffset, count),
  ]
}

/** The first index at or after `i` where the pages differ, or their length. */
function skipEqualBytes(page: Uint8Array, baseline: Uint8Array, i: number): number {
  const n = page.length
  while (i < n && page[i] === baseline[i]) i++
  return i
}

/** {@link skipEqualBytes} over whole words where it can (both pages 4-byte aligned). */
function skipEqualWords(
  page: Uint8Array,
  baseline: Uint8Array,
  start: number,
  [pageWords, baselineWords]: [Uint32Array, Uint32Array],
): number {
  const n = page.length
  let i = start
  while (i < n && (i & 3) !== 0 && page[i] === baseline[i]) i++
  if (i >= n || page[i] !== baseline[i]) return i
  let w = i >>> 2
  const words = pageWords.length
  while (w < words && pageWords[w] === baselineWords[w]) w++
  return skipEqualBytes(page, baseline, w << 2)
}

/** End of the literal run starting at `start` (a changed byte): the next unchanged stretch long enough to split. */
function findLiteralEnd(page: Uint8Array, baseline: Uint8Array, start: number): number {
  const n = page.length
  let j = start
  while (j < n) {
    if (page[j] !== baseline[j]) {
      j++
      continue
    }
    // Only whether the unchanged stretch reaches the split length matters: the caller skips it word-wise.
    let k = j
    while (k < n && k - j < MIN_SPLIT_ZERO_RUN && page[k] === baseline[k]) k++
    if (k === n || k - j >= MIN_SPLIT_ZERO_RUN) return j
    j = k
  }
  return n
}

/**
 * Applies an XBZRLE payload to `baseline` and returns the new page (a fresh buffer of the baseline's length).
 * Every length is checked against the page and the payload before it is used.
 *
 * @throws FrameCorruptError on a truncated or overlong length, a run past the end of the page, a literal
 *   longer than the bytes left, a zero run of 0 after the first pair, an empty literal, or a payload that ends
 *   after a zero run
 */
export function decodeXbzrle(payload: Uint8Array, baseline: Uint8Array): Uint8Array {
  const n = baseline.length
  // A copy: the baseline may be a Buffer, whose slice() is a view the decoder would write through.
  const out = new Uint8Array(baseline)
  let position = 0
  let offset = 0
  while (offset < payload.length) {
    const zero = readUleb128(payload, offset, n, 'xbzrle zero run')
    if (zero.value === 0 && offset > 0) {
      throw new FrameCorruptError(`xbzrle zero run at byte ${offset} is empty after the first pair`)
    }
    if (zero.value > n - position) {
      throw new FrameCorruptError(
        `xbzrle zero run at byte ${offset} of ${zero.value} bytes passes the end of a ${n}-byte page at ${position}`,
      )
    }
    position += zero.value
    if (zero.next === payload.length) {
      throw new FrameCorruptError(`xbzrle payload ends after a zero run at byte ${offset}`)
    }
    const literal = readUleb128(payload, zero.next, n, 'xbzrle literal run')
    if (literal.value === 0) throw new FrameCorruptError(`xbzrle literal run at byte ${zero.next} is empty`)
    if (literal.value > n - position) {
      throw new FrameCorruptError(
        `xbzrle literal run at byte ${zero.next} of ${literal.value} bytes passes the end of a ${n}-byte page at ${position}`,
      )
    }
    const literalStart = literal.next
    if (literal.value > payload.length - literalStart) {
      throw new FrameCorruptError(
        `xbzrle literal at byte ${literalStart} is truncated: ${literal.value} bytes announced, ${payload.length - literalStart} left`,
      )
    }
    for (let k = 0; k < literal.value; k++) out[position + k]! ^= payload[literalStart + k]!
    position += literal.value
    offset = literalStart + literal.value
  }
  return out
}
