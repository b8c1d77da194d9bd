import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { addRange, FileWorkload, MAX_LOGGED_RANGES, PAGE_BYTES } from './file-workload.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function workload(pages = 16): FileWorkload {
  const dir = mkdtempSync(join(tmpdir(), 'dwcp-workload-'))
  dirs.push(dir)
  return FileWorkload.create({ id: 'w', path: join(dir, 'w.img'), sizeBytes: pages * PAGE_BYTES })
}

describe('FileWorkload', () => {
  it('starts all dirty; sending cleans pages; writes dirty the pages they touch', async () => {
    const w = workload()
    expect(w.dirtyCount).toBe(16)
    w.readForSend(0, 16 * PAGE_BYTES)
    expect(w.dirtyCount).toBe(0)
    await w.write(PAGE_BYTES - 2, new Uint8Array(4).fill(1)) // straddles pages 0 and 1
    await w.write(5 * PAGE_BYTES, new Uint8Array(1).fill(2))
    expect(w.dirtyPages()).toEqual([0, 1, 5])
    w.close()
  })

  it('logs the ranges written to a page since it was sent, merged, until the log grows too large', async () => {
    const w = workload()
    w.resetTracking(true)
    await w.write(0, new Uint8Array(PAGE_BYTES).fill(3)) // page 0 never sent: no log, it goes whole
    expect(w.writeLog(0)).toBeUndefined()
    w.readForSend(0, 4 * PAGE_BYTES)
    await w.write(10, new Uint8Array(4))
    await w.write(12, new Uint8Array(4)) // overlaps: merged
    await w.write(100, new Uint8Array(1))
    expect(w.writeLog(0)).toEqual([10, 16, 100, 101])
    // A write across pages 1 and 2 is logged on both.
    await w.write(2 * PAGE_BYTES - 2, new Uint8Array(4))
    expect(w.writeLog(1)).toEqual([PAGE_BYTES - 2, PAGE_BYTES])
    expect(w.writeLog(2)).toEqual([0, 2])
    w.readForSend(0, PAGE_BYTES)
    expect(w.writeLog(0)).toBeUndefined()
    // Past 16 ranges the page is sent whole.
    for (let k = 0; k < 17; k++) await w.write(3 * PAGE_BYTES + k * 8, new Uint8Array(1))
    expect(w.writeLog(3)).toBeUndefined()
    expect(w.dirtyPages().filter((page) => page < 4)).toEqual([1, 2, 3])
    w.close()
  })

  it('reads a span with one call but marks only the pages sent, leaving a page changed in between dirty', async () => {
    const w = workload()
    w.resetTracking(true)
    w.readForSend(0, 16 * PAGE_BYTES)
    await w.write(2 * PAGE_BYTES, new Uint8Array([1]))
    await w.write(4 * PAGE_BYTES, new Uint8Array([1]))
    // The round's list is [2, 4]; page 3 changes after it was taken.
    await w.write(3 * PAGE_BYTES, new Uint8Array([7]))
    const span = w.readSpanForSend(2, 3, [2, 4])
    expect(span.byteLength).toBe(3 * PAGE_BYTES)
    expect(span[PAGE_BYTES]).toBe(7)
    expect(w.dirtyPages()).toEqual([3])
    expect(w.writeLog(3)).toEqual([0, 1])
    expect(w.writeLog(2)).toBeUndefined()
    expect(() => w.readSpanForSend(2, 1, [4])).toThrow(/outside the span/)
    w.close()
  })

  it('forgets a send whose outcome is unknown: pages dirty again, logs dropped', async () => {
    const w = workload()
    w.resetTracking(true)
    w.readForSend(0, 16 * PAGE_BYTES)
    await w.write(PAGE_BYTES, new Uint8Array([1]))
    expect(w.writeLog(1)).toBeDefined()
    w.forgetSent(0, 2 * PAGE_BYTES)
    expect(w.dirtyPages()).toEqual([0, 1])
    expect(w.writeLog(1)).toBeUndefined()
    w.close()
  })

  it('holds writers while paused and releases them on resume', async () => {
    const w = workload()
    w.pause()
    let done = false
    const pending = w.write(0, new Uint8Array([1])).then(() => {
      done = true
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(done).toBe(false)
    w.resume()
    await pending
    expect(done).toBe(true)
    w.close()
  })

  it('throttles writes to the given rate', async () => {
    const w = workload()
    w.throttle(64 * 1024) // 64 KiB/s: 16 writes of 4 KiB take about a second
    const started = performance.now()
    for (let i = 0; i < 4; i++) await w.write(i * PAGE_BYTES, new Uint8Array(PAGE_BYTES))
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    w.throttle(undefined)
    w.close()
  })

  it('finds pages changed behind its back by hashing', async () => {
    const w = workload()
    w.trackHashes()
    w.readForSend(0, 16 * PAGE_BYTES)
    const fd = openSync(w.path, 'r+')
    writeSync(fd, new Uint8Array([7]), 0, 1, 3 * PAGE_BYTES + 100)
    writeSync(fd, new Uint8Array([7]), 0, 1, 12 * PAGE_BYTES)
    closeSync(fd)
    expect(w.scanDirty()).toBe(2)
    expect(w.dirtyPages()).toEqual([3, 12])
    w.close()
  })

  it('refuses an image that is not a whole number of pages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dwcp-workload-'))
    dirs.push(dir)
    const path = join(dir, 'odd.img')
    const fd = openSync(path, 'w')
    writeSync(fd, new Uint8Array(100))
    closeSync(fd)
    expect(() => FileWorkload.open({ id: 'odd', path })).toThrow(/multiple of 4096/)
  })
})

describe('addRange', () => {
  it('keeps the union of the ranges added, merged and ascending, while small', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .tuple(fc.nat(PAGE_BYTES - 1), fc.integer({ min: 1, max: 64 }))
            .map(([s, n]) => [s, Math.min(PAGE_BYTES, s + n)] as const),
          { maxLength: 20 },
        ),
        (writes) => {
          const ranges: number[] = []
          let kept = true
          const covered = new Uint8Array(PAGE_BYTES)
          for (const [s, e] of writes) {
            covered.fill(1, s, e)
            if (kept) kept = addRange(ranges, s, e)
          }
          if (!kept) return
          const fromRanges = new Uint8Array(PAGE_BYTES)
          for (let k = 0; k < ranges.length; k += 2) {
            expect(ranges[k]!).toBeLessThan(ranges[k + 1]!)
            if (k > 0) expect(ranges[k]!).toBeGreaterThan(ranges[k - 1]!)
            fromRanges.fill(1, ranges[k], ranges[k + 1])
          }
          expect(fromRanges).toEqual(covered)
          expect(ranges.length).toBeLessThanOrEqual(2 * MAX_LOGGED_RANGES)
        },
      ),
    )
  })
})
