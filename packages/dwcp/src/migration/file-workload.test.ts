import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileWorkload, PAGE_BYTES } from './file-workload.js'

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

  it('keeps the version last sent when a clean page is first changed (for a delta), within its bound', async () => {
    const w = workload()
    w.resetTracking(true)
    await w.write(0, new Uint8Array(PAGE_BYTES).fill(3)) // page 0 never sent: nothing to keep
    expect(w.sentVersion(0)).toBeUndefined()
    w.readForSend(0, 4 * PAGE_BYTES)
    await w.write(10, new Uint8Array([9]))
    await w.write(20, new Uint8Array([9])) // second write: the first kept version stays
    expect(w.sentVersion(0)).toEqual(new Uint8Array(PAGE_BYTES).fill(3))
    w.readForSend(0, PAGE_BYTES)
    expect(w.sentVersion(0)).toBeUndefined()
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
    expect(w.sentVersion(3)).toEqual(new Uint8Array(PAGE_BYTES))
    expect(w.sentVersion(2)).toBeUndefined()
    expect(() => w.readSpanForSend(2, 1, [4])).toThrow(/outside the span/)
    w.close()
  })

  it('forgets a send whose outcome is unknown: pages dirty again, kept versions dropped', async () => {
    const w = workload()
    w.resetTracking(true)
    w.readForSend(0, 16 * PAGE_BYTES)
    await w.write(PAGE_BYTES, new Uint8Array([1]))
    expect(w.sentVersion(1)).toBeDefined()
    w.forgetSent(0, 2 * PAGE_BYTES)
    expect(w.dirtyPages()).toEqual([0, 1])
    expect(w.sentVersion(1)).toBeUndefined()
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
