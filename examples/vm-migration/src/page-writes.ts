import { writeSync } from 'node:fs'

/** Page size of the image, and the most bytes {@link writePageByPage} writes with one call. */
export const PAGE_BYTES = 4096

/** Writes `length` bytes of `bytes` from `offset` at `position` of file `fd`; returns the bytes written. */
export type WriteAt = (
  fd: number,
  bytes: Uint8Array,
  offset: number,
  length: number,
  position: number,
) => number

/**
 * Writes `bytes` at `offsetBytes` of file `fd` with one call per 4 KiB page of the file (a call for a partial
 * page at either end writes just its part).
 *
 * Why not one large call: the kernel caches the bytes of a write in units (folios) as large as the write, up to
 * 2 MiB on file systems with large folios, and every later small write into the file costs kernel time in
 * proportion to the unit it lands in (ext4 walks each 4 KiB block of the unit: about 50 µs per write into a
 * 2 MiB unit against 2 µs into a page). A guest's writer makes tens of thousands of small writes per second,
 * so an image cached in large units costs it more than a core; written page by page, it is cached page by page.
 */
export function writePageByPage(
  fd: number,
  bytes: Uint8Array,
  offsetBytes: number,
  writeAt: WriteAt = writeSync,
): void {
  for (let at = 0; at < bytes.byteLength; ) {
    // Up to the next page boundary of the file; a call may write less than asked, and the rest of the page
    // goes with the next call.
    const position = offsetBytes + at
    const pageEndBytes = (Math.floor(position / PAGE_BYTES) + 1) * PAGE_BYTES
    const length = Math.min(bytes.byteLength - at, pageEndBytes - position)
    const written = writeAt(fd, bytes, at, length, position)
    if (written <= 0) throw new Error(`wrote nothing at offset ${position}`)
    at += written
  }
}
