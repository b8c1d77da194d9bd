import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { type Clock, InvalidArgumentError, systemClock } from '@dwcp/core'
import type { PageDigests } from './page-digests.js'
import { PageHashes } from './page-hashes.js'

/** Page size of every workload: 4 KiB, the page size of x86-64 and most arm64 guests. */
export const PAGE_BYTES = 4096

/** Options of {@link FileWorkload.open}. */
export interface FileWorkloadOptions {
  /** Id of the workload in the cluster (placement key `placement/<id>`). */
  id: string
  /** Path of the image file; it must exist and its size must be a multiple of 4 KiB. */
  path: string
  /** Time source for throttling. @default the system clock */
  clock?: Clock
}

/**
 * A workload ("VM") backed by an image file, with dirty tracking against what was last sent.
 *
 * Writes through {@link write} are recorded: each page they touch becomes dirty, and for a page that was clean
 * (its current version already read for sending) the byte ranges written since are logged, so that the next
 * round can send just those bytes as a patch to exactly what the receiver holds (the "writer that records its
 * writes": no old version needs to be read or kept). A page whose log grows past {@link MAX_LOGGED_RANGES}
 * ranges or half a page is sent whole instead. Reads for sending ({@link readForSend}) mark pages clean. File
 * I/O is synchronous on purpose: a read for sending and a write never interleave, so the version a round sent is
 * always a whole, known version of each page.
 *
 * A small write costs kernel time in proportion to the page-cache unit (folio) it lands in, and a file written,
 * copied or read ahead in large pieces may be cached in units of up to 2 MiB: about 50 µs per small write
 * instead of 2 µs in a page-sized unit. A writer of tens of thousands of small writes per second then needs
 * more than a core, and since it shares the thread with the migration, the migration starves. Create or fill an
 * image that will take many small writes a page per call, so that it is cached in pages.
 *
 * Writers the workload does not see (another process writing the file) are found by {@link scanDirty}: it
 * hashes every page (SHA-1, 8 bytes kept per page) and compares with the hash taken when the page was last sent.
 * Its cost is a read and a hash of the whole image per scan (about 1 s per GiB on one core) and 8 bytes of
 * memory per page; pages found this way have no kept old version, so their next send carries no delta.
 */
export class FileWorkload {
  readonly id: string
  readonly path: string
  readonly sizeBytes: number
  readonly pageCount: number
  readonly #fd: number
  readonly #clock: Clock
  /** 1 = changed since it was last read for sending (every page starts dirty: nothing was sent). */
  readonly #dirty: Uint8Array
  #dirtyCount: number
  /** Page → byte ranges written since it was last sent, `[start, end, start, end, …]`, merged and ascending. */
  readonly #logs = new Map<number, number[]>()
  #logging = false
  #hashes: PageHashes | undefined
  /** Hash of each page as last read for sending, for the end-to-end check against the receiver's. */
  #sent: PageDigests | undefined
  #paused: { promise: Promise<void>; resolve: () => void } | undefined
  #throttleBytesPerSecond: number | undefined
  #throttleNextMs = 0
  #closed = false
  /** Bytes written through {@link write} since open. */
  writtenBytes = 0

  private constructor(options: FileWorkloadOptions, fd: number, sizeBytes: number) {
    this.id = options.id
    this.path = options.path
    this.#fd = fd
    this.sizeBytes = sizeBytes
    this.pageCount = sizeBytes / PAGE_BYTES
    this.#clock = options.clock ?? systemClock()
    this.#dirty = new Uint8Array(this.pageCount).fill(1)
    this.#dirtyCount = this.pageCount
  }

  /** Opens an existing image file for reading and writing. */
  static open(options: FileWorkloadOptions): FileWorkload {
    const fd = openSync(options.path, 'r+')
    const sizeBytes = fstatSync(fd).size
    if (sizeBytes === 0 || sizeBytes % PAGE_BYTES !== 0) {
      closeSync(fd)
      throw new InvalidArgumentError('path', `image size ${sizeBytes} is not a positive multiple of 4096`)
    }
    return new FileWorkload(options, fd, sizeBytes)
  }

  /** Creates (or truncates) an image file of `sizeBytes` zero bytes and opens it. */
  static create(options: FileWorkloadOptions & { sizeBytes: number }): FileWorkload {
    const fd = openSync(options.path, 'w+')
    ftruncateSync(fd, options.sizeBytes)
    closeSync(fd)
    return FileWorkload.open(options)
  }

  /** Number of pages changed since they were last read for sending. */
  get dirtyCount(): number {
    return this.#dirtyCount
  }

  /** Whether the writer is paused. */
  get paused(): boolean {
    return this.#paused !== undefined
  }

  /**
   * Writes `bytes` at `offsetBytes` and marks the pages it touches dirty. Waits while the writer is paused
   * and, when throttled, long enough to keep the write rate under the throttle.
   */
  async write(offsetBytes: number, bytes: Uint8Array): Promise<void> {
    if (offsetBytes < 0 || offsetBytes + bytes.byteLength > this.sizeBytes)
      throw new InvalidArgumentError(
        'offsetBytes',
        `write of ${bytes.byteLength} at ${offsetBytes} is outside`,
      )
    await this.#whilePaused()
    await this.#throttle(bytes.byteLength)
    await this.#whilePaused()
    if (this.#closed) throw new InvalidArgumentError('workload', `${this.id} is closed`)
    const end = offsetBytes + bytes.byteLength
    const first = Math.floor(offsetBytes / PAGE_BYTES)
    const last = Math.floor((end - 1) / PAGE_BYTES)
    for (let page = first; page <= last; page++) {
      const pageStart = page * PAGE_BYTES
      this.#markWritten(
        page,
        Math.max(offsetBytes, pageStart) - pageStart,
        Math.min(end, pageStart + PAGE_BYTES) - pageStart,
      )
    }
    writeSync(this.#fd, bytes, 0, bytes.byteLength, offsetBytes)
    this.writtenBytes += bytes.byteLength
  }

  /** Stops writers at their next write (stop-and-copy); resolves at once, since writes are synchronous. */
  pause(): void {
    if (this.#paused) return
    let resolve!: () => void
    const promise = new Promise<void>((r) => {
      resolve = r
    })
    this.#paused = { promise, resolve }
  }

  /** Lets paused writers continue. */
  resume(): void {
    const paused = this.#paused
    this.#paused = undefined
    paused?.resolve()
  }

  /** Limits writes to `bytesPerSecond` (convergence control), or lifts the limit with `undefined`. */
  throttle(bytesPerSecond: number | undefined): void {
    this.#throttleBytesPerSecond = bytesPerSecond
  }

  /** The current throttle in bytes per second, if any. */
  get throttleBytesPerSecond(): number | undefined {
    return this.#throttleBytesPerSecond
  }

  /**
   * Reads `lengthBytes` at `offsetBytes` (page-aligned) for sending, marks those pages clean and, with
   * {@link trackHashes} on, records their hashes.
   */
  readForSend(offsetBytes: number, lengthBytes: number): Uint8Array {
    const bytes = this.read(offsetBytes, lengthBytes)
    const first = offsetBytes / PAGE_BYTES
    const count = Math.ceil(bytes.byteLength / PAGE_BYTES)
    for (let i = 0; i < count; i++)
      this.#markSent(first + i, bytes.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES))
    return bytes
  }

  /**
   * Reads the `pageCount` pages from `firstPage` with one call, and marks as sent (as {@link readForSend} does)
   * only the pages listed in `sent`, which must lie in the span. The other pages are read through: their
   * tracking is untouched, since the caller does not send them (a page the writer changed after the round's
   * dirty list was taken stays dirty, with its write log).
   */
  readSpanForSend(firstPage: number, pageCount: number, sent: Iterable<number>): Uint8Array {
    const bytes = this.read(firstPage * PAGE_BYTES, pageCount * PAGE_BYTES)
    for (const page of sent) {
      const at = (page - firstPage) * PAGE_BYTES
      if (page < firstPage || at + PAGE_BYTES > bytes.byteLength)
        throw new InvalidArgumentError('sent', `page ${page} is outside the span read`)
      this.#markSent(page, bytes.subarray(at, at + PAGE_BYTES))
    }
    return bytes
  }

  /**
   * Marks pages as not known to be on the receiver: dirty, with no write log. For a send whose outcome is
   * unknown (a transport that read a chunk again may deliver either read), so the next round sends them whole.
   */
  forgetSent(offsetBytes: number, lengthBytes: number): void {
    const first = Math.floor(offsetBytes / PAGE_BYTES)
    const end = Math.min(this.pageCount, Math.ceil((offsetBytes + lengthBytes) / PAGE_BYTES))
    for (let page = first; page < end; page++) {
      if (this.#dirty[page] === 0) {
        this.#dirty[page] = 1
        this.#dirtyCount++
      }
      this.#logs.delete(page)
    }
  }

  /** Reads bytes without changing any tracking state. */
  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    const length = Math.max(0, Math.min(lengthBytes, this.sizeBytes - offsetBytes))
    const bytes = new Uint8Array(length)
    let done = 0
    while (done < length) {
      const n = readSync(this.#fd, bytes, done, length - done, offsetBytes + done)
      if (n === 0) break
      done += n
    }
    return bytes
  }

  /** Dirty page indexes in ascending order. */
  dirtyPages(): number[] {
    const pages: number[] = []
    for (let page = 0; page < this.pageCount; page++) if (this.#dirty[page] === 1) pages.push(page)
    return pages
  }

  /**
   * The byte ranges of `page` written since it was last sent, as `[start, end, start, end, …]` offsets within
   * the page (merged, ascending), when the receiver holds its last sent version and the log stayed small; else
   * `undefined` (the page must be sent whole). Only pages written through {@link write} while logging have one.
   */
  writeLog(page: number): readonly number[] | undefined {
    return this.#logs.get(page)
  }

  /**
   * Starts a tracking epoch for a migration: every page dirty (nothing sent yet), no logs, and logging the writes
   * to sent pages on (`logWrites`) or off.
   */
  resetTracking(logWrites: boolean): void {
    this.#dirty.fill(1)
    this.#dirtyCount = this.pageCount
    this.#logs.clear()
    this.#logging = logWrites
  }

  /**
   * Records into `digests` the hash of every page as it is read for sending, from now on (until another table is
   * given): after a migration's last round it holds what the receiver should hold.
   */
  trackSentPages(digests: PageDigests | undefined): void {
    this.#sent = digests
  }

  /** Turns on hashing of pages as they are sent, so that {@link scanDirty} can find external writes. */
  trackHashes(): void {
    this.#hashes ??= new PageHashes(this.pageCount)
  }

  /**
   * Finds pages changed by writers this workload does not see: hashes every page and marks dirty those whose
   * hash differs from the one taken when they were last sent. Returns how many pages it newly marked.
   */
  scanDirty(): number {
    const hashes = this.#hashes
    if (!hashes) throw new InvalidArgumentError('scanDirty', 'call trackHashes() before the first send')
    let found = 0
    const stepBytes = 256 * PAGE_BYTES
    for (let offset = 0; offset < this.sizeBytes; offset += stepBytes) {
      const bytes = this.read(offset, stepBytes)
      for (let i = 0; i * PAGE_BYTES < bytes.byteLength; i++) {
        const page = offset / PAGE_BYTES + i
        if (this.#dirty[page] === 1) continue
        if (!hashes.matches(page, bytes.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES))) {
          this.#dirty[page] = 1
          this.#dirtyCount++
          found++
        }
      }
    }
    return found
  }

  /** Closes the file; pending paused writers are released and fail. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.resume()
    closeSync(this.#fd)
  }

  /** `page` is being sent as `bytes`: clean, its log dropped, its hash recorded when tracking. */
  #markSent(page: number, bytes: Uint8Array): void {
    if (this.#dirty[page] === 1) {
      this.#dirty[page] = 0
      this.#dirtyCount--
    }
    this.#logs.delete(page)
    this.#hashes?.record(page, bytes)
    this.#sent?.set(page, bytes)
  }

  /** Bytes [`start`, `end`) of `page` are about to be written: dirty, and logged if the receiver has the rest. */
  #markWritten(page: number, start: number, end: number): void {
    if (this.#dirty[page] === 0) {
      this.#dirty[page] = 1
      this.#dirtyCount++
      // The page was clean: the receiver holds what the file holds now, so the written ranges are the delta.
      if (this.#logging) this.#logs.set(page, [])
    }
    const log = this.#logs.get(page)
    if (log && !addRange(log, start, end)) this.#logs.delete(page)
  }

  async #whilePaused(): Promise<void> {
    for (let paused = this.#paused; paused; paused = this.#paused) await paused.promise
  }

  async #throttle(lengthBytes: number): Promise<void> {
    const rate = this.#throttleBytesPerSecond
    if (rate === undefined || rate <= 0) return
    const nowMs = this.#clock.now()
    const startMs = Math.max(nowMs, this.#throttleNextMs)
    this.#throttleNextMs = startMs + (lengthBytes / rate) * 1000
    const waitMs = startMs - nowMs
    if (waitMs >= 1) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, waitMs))
  }
}

/** Most ranges one page's write log holds; past this (or half a page of bytes) the page is sent whole. */
export const MAX_LOGGED_RANGES = 16

/**
 * Adds [`start`, `end`) to a merged, ascending range list (touching ranges merge). Returns false when the
 * list would exceed {@link MAX_LOGGED_RANGES} ranges or cover more than half a page: sending the page whole is
 * then as cheap.
 */
export function addRange(ranges: number[], start: number, end: number): boolean {
  let i = 0
  while (i < ranges.length && ranges[i + 1]! < start) i += 2
  let s = start
  let e = end
  let j = i
  while (j < ranges.length && ranges[j]! <= e) {
    s = Math.min(s, ranges[j]!)
    e = Math.max(e, ranges[j + 1]!)
    j += 2
  }
  ranges.splice(i, j - i, s, e)
  if (ranges.length > 2 * MAX_LOGGED_RANGES) return false
  let covered = 0
  for (let k = 0; k < ranges.length; k += 2) covered += ranges[k + 1]! - ranges[k]!
  return covered <= PAGE_BYTES / 2
}
