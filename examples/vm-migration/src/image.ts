import { closeSync, openSync } from 'node:fs'
import { PAGE_BYTES, writePageByPage } from './page-writes.js'

/** Bytes generated and written per step. */
const STEP_BYTES = 4 * 1024 * 1024

/** The share of each kind of page in a generated image. */
export const PAGE_MIX = { zero: 0.4, text: 0.25, binary: 0.2, random: 0.15 } as const

/** xorshift32: a fast seeded generator, so an image is the same for a seed. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

const WORDS = (
  'the kernel page cache holds file data while processes map memory and the scheduler runs ' +
  'threads on cores; logs record requests, responses, errors and timings for every service in the cluster '
)
  .split(' ')
  .filter((w) => w.length > 0)

/** A pool of text-like bytes (words, lines, numbers) that pages copy slices of. */
function textPool(next: () => number, bytes: number): Uint8Array {
  const parts: string[] = []
  let length = 0
  while (length < bytes) {
    const line = `${next() % 100000} ${Array.from({ length: 8 }, () => WORDS[next() % WORDS.length]).join(' ')}\n`
    parts.push(line)
    length += line.length
  }
  return new Uint8Array(Buffer.from(parts.join(''), 'latin1').subarray(0, bytes))
}

/** A pool of compressible binary: small integers, pointers into one region, repeated structures. */
function binaryPool(next: () => number, bytes: number): Uint8Array {
  const words = new Uint32Array(bytes / 4)
  for (let i = 0; i < words.length; i++) {
    const r = next()
    words[i] =
      i % 4 === 0 ? 0x7f00_0000 + (r & 0xfff0) : i % 4 === 1 ? r & 0xff : i % 4 === 2 ? 0 : r & 0xffff
  }
  return new Uint8Array(words.buffer)
}

/** How many pages of each kind an image holds. */
export type ImageComposition = Record<keyof typeof PAGE_MIX, number>

/**
 * Writes an image of `sizeBytes` to `path` and returns how many pages of each kind it holds: zero pages
 * (~40 %), text-like pages (~25 %), compressible binary (~20 %) and random pages (~15 %), from a seeded
 * generator. Text and binary pages are slices of two pools at random offsets, so generating 1 GiB takes seconds:
 * only the random pages are generated word by word. The file is written a page per call, so that it is cached
 * in pages and the guest's small writes stay cheap (see {@link writePageByPage}). The benchmark
 * `pnpm bench migrate` uses it too.
 */
export function writeImage(path: string, sizeBytes: number, seed = 42): ImageComposition {
  const next = xorshift(seed)
  const text = textPool(next, 1024 * 1024)
  const binary = binaryPool(next, 1024 * 1024)
  const step = new Uint8Array(STEP_BYTES)
  const words = new Uint32Array(step.buffer)
  const pages: ImageComposition = { zero: 0, text: 0, binary: 0, random: 0 }
  const fd = openSync(path, 'w')
  try {
    for (let offset = 0; offset < sizeBytes; offset += STEP_BYTES) {
      const length = Math.min(STEP_BYTES, sizeBytes - offset)
      for (let page = 0; page * PAGE_BYTES < length; page++) {
        const at = page * PAGE_BYTES
        const kind = (next() % 1000) / 1000
        if (kind < PAGE_MIX.zero) {
          step.fill(0, at, at + PAGE_BYTES)
          pages.zero++
        } else if (kind < PAGE_MIX.zero + PAGE_MIX.text) {
          const from = next() % (text.length - PAGE_BYTES)
          step.set(text.subarray(from, from + PAGE_BYTES), at)
          pages.text++
        } else if (kind < 1 - PAGE_MIX.random) {
          const from = (next() % ((binary.length - PAGE_BYTES) / 4)) * 4
          step.set(binary.subarray(from, from + PAGE_BYTES), at)
          pages.binary++
        } else {
          for (let w = at / 4; w < (at + PAGE_BYTES) / 4; w++) words[w] = next()
          pages.random++
        }
      }
      writePageByPage(fd, step.subarray(0, length), offset)
    }
  } finally {
    closeSync(fd)
  }
  return pages
}
