// The data and the guest of `pnpm bench migrate`: a realistic VM image made quickly from a seeded generator
// (the vm-migration example's recipe: zero pages, text-like pages, compressible binary pages and random pages),
// and a guest-like writer that changes a few bytes in random pages at a set share of the pages per second.
// The image is written once to bench/.cache/migrate and reused by later runs (each run migrates a copy).
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'

/** Page size of the image. */
export const PAGE_BYTES = 4096
/** Bytes generated and written per step. */
const STEP_BYTES = 4 * 1024 * 1024
/** Bump when the recipe changes, so that cached images made by an older recipe are rebuilt. */
const RECIPE_VERSION = 1

/** The share of each kind of page in a generated image (the example's mix). */
export const PAGE_MIX = Object.freeze({ zero: 0.4, text: 0.25, binary: 0.2, random: 0.15 })

/** xorshift32: a fast seeded generator, so an image is the same for a seed. */
export function xorshift(seed) {
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
function textPool(next, bytes) {
  const parts = []
  let length = 0
  while (length < bytes) {
    const line = `${next() % 100000} ${Array.from({ length: 8 }, () => WORDS[next() % WORDS.length]).join(' ')}\n`
    parts.push(line)
    length += line.length
  }
  return new Uint8Array(Buffer.from(parts.join(''), 'latin1').subarray(0, bytes))
}

/** A pool of compressible binary: small integers, pointers into one region, repeated structures. */
function binaryPool(next, bytes) {
  const words = new Uint32Array(bytes / 4)
  for (let i = 0; i < words.length; i++) {
    const r = next()
    words[i] =
      i % 4 === 0 ? 0x7f00_0000 + (r & 0xfff0) : i % 4 === 1 ? r & 0xff : i % 4 === 2 ? 0 : r & 0xffff
  }
  return new Uint8Array(words.buffer)
}

/**
 * Writes an image of `sizeBytes` to `path` and returns its composition in pages. Text and binary pages are
 * slices of two 1 MiB pools at random offsets, so 2 GiB take seconds: only random pages are generated word by
 * word.
 * @param {string} path
 * @param {number} sizeBytes
 * @param {number} [seed]
 * @returns {{ zero: number, text: number, binary: number, random: number }}
 */
export function writeImage(path, sizeBytes, seed = 42) {
  const next = xorshift(seed)
  const text = textPool(next, 1024 * 1024)
  const binary = binaryPool(next, 1024 * 1024)
  const step = new Uint8Array(STEP_BYTES)
  const words = new Uint32Array(step.buffer)
  const pages = { zero: 0, text: 0, binary: 0, random: 0 }
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
      writeSync(fd, step, 0, length, offset)
    }
  } finally {
    closeSync(fd)
  }
  return pages
}

/**
 * Returns the cached image of `sizeBytes` under `dir` (generating it on first use) with its composition.
 * @param {string} dir
 * @param {number} sizeBytes
 * @returns {{ path: string, sizeBytes: number, seed: number, pages: Record<string, number>, generatedMs: number | null }}
 */
export function ensureImage(dir, sizeBytes, seed = 42) {
  const path = `${dir}/image-${sizeBytes / 2 ** 20}MiB-seed${seed}-v${RECIPE_VERSION}.img`
  const manifest = `${path}.json`
  if (existsSync(path) && existsSync(manifest) && statSync(path).size === sizeBytes) {
    return { ...JSON.parse(readFileSync(manifest, 'utf8')), path, generatedMs: null }
  }
  const startedMs = performance.now()
  const pages = writeImage(`${path}.tmp`, sizeBytes, seed)
  renameSync(`${path}.tmp`, path)
  const info = { sizeBytes, seed, recipeVersion: RECIPE_VERSION, pages }
  writeFileSync(manifest, `${JSON.stringify(info, null, 2)}\n`)
  return { ...info, path, generatedMs: performance.now() - startedMs }
}

/** Interval between the writer's bursts, in milliseconds. */
const TICK_MS = 10

/**
 * A guest-like writer (the example's): it changes 8–64 bytes in random pages, `dirtyPercentPerSecond` % of the
 * image's pages per second, in bursts every 10 ms, catching up (at most one second's worth) when timers run
 * late. It stops by itself once the workload is paused for the stop-and-copy and never resumed, or closed.
 * @param {import('dwcp').FileWorkload} workload
 * @param {number} dirtyPercentPerSecond
 */
export function startWriter(workload, dirtyPercentPerSecond, seed = 7) {
  const next = xorshift(seed)
  let running = true
  let writes = 0
  const pagesPerSecond = (workload.pageCount * dirtyPercentPerSecond) / 100
  const loop = (async () => {
    let lastMs = performance.now()
    let owed = 0
    while (running) {
      const nowMs = performance.now()
      owed = Math.min(pagesPerSecond, owed + (pagesPerSecond * (nowMs - lastMs)) / 1000)
      lastMs = nowMs
      for (; owed >= 1 && running; owed--) {
        const length = 8 + (next() % 57)
        const bytes = new Uint8Array(length)
        for (let j = 0; j < length; j++) bytes[j] = next() & 0xff
        const page = next() % workload.pageCount
        const offset = page * PAGE_BYTES + (next() % (PAGE_BYTES - length))
        try {
          await workload.write(offset, bytes)
        } catch {
          return // closed
        }
        writes++
      }
      await new Promise((r) => setTimeout(r, TICK_MS))
    }
  })()
  return {
    pagesPerSecond: Math.round(pagesPerSecond),
    writes: () => writes,
    /** Stops writing; waits for the loop unless the workload holds it paused. */
    async stop() {
      running = false
      if (!workload.paused) await loop
    },
  }
}
