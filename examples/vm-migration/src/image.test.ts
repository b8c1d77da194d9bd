import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { writeImage } from './image.js'
import { PAGE_BYTES } from './page-writes.js'

// The writes that make the image, observed at the file system call.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>()
  return { ...actual, writeSync: vi.fn(actual.writeSync) }
})

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  vi.mocked(fs.writeSync).mockClear()
})

function imagePath(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'vm-image-'))
  dirs.push(dir)
  return join(dir, 'vm.img')
}

describe('writeImage', () => {
  it('writes the image a page per call, so that the file is cached in pages', () => {
    const path = imagePath()
    writeImage(path, 8 * 1024 * 1024 + 3 * PAGE_BYTES)
    const calls = vi.mocked(fs.writeSync).mock.calls as unknown as [
      number,
      Uint8Array,
      number,
      number,
      number,
    ][]
    expect(calls.length).toBe((8 * 1024 * 1024) / PAGE_BYTES + 3)
    for (const [, , , length, position] of calls) {
      expect(position % PAGE_BYTES).toBe(0)
      expect(length).toBe(PAGE_BYTES)
    }
  })

  it('makes the same image for a seed as before (the benchmark caches images by recipe)', () => {
    const path = imagePath()
    const pages = writeImage(path, 8 * 1024 * 1024 + 3 * PAGE_BYTES, 42)
    expect(pages).toEqual({ zero: 831, text: 518, binary: 417, random: 285 })
    expect(createHash('sha256').update(fs.readFileSync(path)).digest('hex')).toBe(
      '15b06c52fa76761644331700102ac7f7f1e51043e5013932db43a1fec907b573',
    )
  })
})
