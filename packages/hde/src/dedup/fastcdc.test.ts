/**
 * FastCDC against the paper: a byte-at-a-time transcription of its Algorithm 1 as the reference, pinned cut
 * points for seeded inputs, the size bounds, the effect of normalized chunking, and shift resistance.
 */
import { createHash } from 'node:crypto'
import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CdcOptions, type CdcParams, resolveCdcOptions } from './cdc-options.js'
import { cdcChunks, findCutPoint } from './fastcdc.js'
import { gear } from './gear.js'
import { seededBytes } from './seeded-bytes.js'

const KiB = 1024
const small: CdcOptions = { minSizeBytes: 256, averageSizeBytes: 1024, maxSizeBytes: 4096 }

/** The paper's Algorithm 1 with normalized chunking, one byte per step, on `src[start..]` of length `n`. */
function referenceCut(src: Uint8Array, start: number, params: CdcParams): number {
  let n = src.length - start
  let normal = params.averageSizeBytes
  if (n <= params.minSizeBytes) return n
  if (n >= params.maxSizeBytes) n = params.maxSizeBytes
  else if (n <= normal) normal = n
  const table = gear()
  let fp = 0
  let i = params.minSizeBytes
  for (; i < normal; i++) {
    fp = ((fp << 1) + table[src[start + i]!]!) | 0
    if ((fp & params.maskS) === 0) return i
  }
  for (; i < n; i++) {
    fp = ((fp << 1) + table[src[start + i]!]!) | 0
    if ((fp & params.maskL) === 0) return i
  }
  return n
}

function referenceChunks(src: Uint8Array, options?: CdcOptions): number[] {
  const params = resolveCdcOptions(options)
  const cuts: number[] = []
  for (let start = 0; start < src.length; ) {
    start += referenceCut(src, start, params)
    cuts.push(start)
  }
  return cuts
}

function sizes(cuts: number[]): number[] {
  return cuts.map((cut, k) => cut - (cuts[k - 1] ?? 0))
}

function chunkDigests(bytes: Uint8Array, cuts: number[]): string[] {
  return cuts.map((cut, k) =>
    createHash('sha256')
      .update(bytes.subarray(cuts[k - 1] ?? 0, cut))
      .digest('hex'),
  )
}

describe('cdcChunks', () => {
  it('pins the seeded input generator', () => {
    expect(Buffer.from(seededBytes(2024, 8)).toString('hex')).toBe('e99b98980b79694c')
  })

  it('matches the pinned cut points of 1 MiB of seeded bytes with the default options', () => {
    expect(cdcChunks(seededBytes(2024, 1024 * KiB))).toEqual([
      37035, 47392, 77645, 121925, 158331, 196003, 232757, 253322, 307500, 334321, 378066, 392704, 426491,
      460458, 512933, 547052, 588667, 631210, 679671, 719162, 774735, 788938, 824425, 860318, 894056, 958533,
      970940, 1022352, 1048576,
    ])
  })

  it('matches the pinned cut points of 16 KiB of seeded bytes with small options', () => {
    expect(cdcChunks(seededBytes(7, 16 * KiB), small)).toEqual([
      1769, 2990, 4130, 5487, 6668, 7877, 9172, 10584, 11726, 12825, 13923, 15290, 16384,
    ])
  })

  it('is deterministic and equals the paper algorithm taken one byte at a time', () => {
    const options = fc.record({
      minSizeBytes: fc.integer({ min: 64, max: 511 }),
      averageSizeBytes: fc.constantFrom(512, 1024, 2048),
      maxSizeBytes: fc.integer({ min: 2049, max: 8192 }),
      normalizationLevel: fc.integer({ min: 0, max: 3 }),
    })
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 40_000 }), options, (seed, length, cdcOptions) => {
        const bytes = seededBytes(seed, length)
        const cuts = cdcChunks(bytes, cdcOptions)
        expect(cuts).toEqual(referenceChunks(bytes, cdcOptions))
        expect(cdcChunks(bytes.slice(), cdcOptions)).toEqual(cuts)
      }),
      { numRuns: 150 },
    )
  })

  it('returns no chunk for empty input and one chunk for input up to the minimum size', () => {
    expect(cdcChunks(new Uint8Array(0))).toEqual([])
    expect(cdcChunks(new Uint8Array(1))).toEqual([1])
    expect(cdcChunks(seededBytes(1, 8 * KiB))).toEqual([8 * KiB])
  })

  it('honours the minimum and maximum sizes on random, zero and periodic data', () => {
    const periodic = new Uint8Array(512 * KiB).map((_, i) => (i * 31) % 7)
    for (const bytes of [seededBytes(3, 2048 * KiB), new Uint8Array(512 * KiB), periodic]) {
      const chunkSizes = sizes(cdcChunks(bytes))
      expect(chunkSizes.slice(0, -1).every((size) => size >= 8 * KiB && size <= 128 * KiB)).toBe(true)
      expect(chunkSizes.at(-1)!).toBeLessThanOrEqual(128 * KiB)
      expect(chunkSizes.reduce((a, b) => a + b, 0)).toBe(bytes.length)
    }
    // A run of one byte value keeps the gear hash on a fixed path that never meets the masks: cut at the maximum.
    expect(sizes(cdcChunks(new Uint8Array(512 * KiB)))).toEqual([128 * KiB, 128 * KiB, 128 * KiB, 128 * KiB])
  })

  it('keeps the mean chunk size near the average on random data, tighter with normalization', () => {
    const bytes = seededBytes(11, 16 * 1024 * KiB)
    const stats = (level: number) => {
      const chunkSizes = sizes(cdcChunks(bytes, { normalizationLevel: level })).slice(0, -1)
      const mean = chunkSizes.reduce((a, b) => a + b, 0) / chunkSizes.length
      const variance = chunkSizes.reduce((a, b) => a + (b - mean) ** 2, 0) / chunkSizes.length
      return { mean, deviation: Math.sqrt(variance) }
    }
    const normalized = stats(2)
    expect(normalized.mean / (32 * KiB)).toBeGreaterThan(0.9)
    expect(normalized.mean / (32 * KiB)).toBeLessThan(1.25)
    // Without normalization the sizes spread out (roughly exponential above the minimum).
    expect(normalized.deviation).toBeLessThan(stats(0).deviation * 0.6)
  })

  it('resists shifts: an insertion near the start of 4 MiB leaves at least 90 % of later chunks unchanged', () => {
    const original = seededBytes(5, 4096 * KiB)
    const insertAt = 1000
    const originalCuts = cdcChunks(original)
    const after = chunkDigests(original, originalCuts).filter(
      (_, k) => (originalCuts[k - 1] ?? 0) >= insertAt,
    )
    expect(after.length).toBeGreaterThan(100)
    for (const inserted of [[0x42], [1, 2, 3], [9, 8, 7, 6, 5, 4, 3, 2, 1]]) {
      const shifted = new Uint8Array(original.length + inserted.length)
      shifted.set(original.subarray(0, insertAt))
      shifted.set(inserted, insertAt)
      shifted.set(original.subarray(insertAt), insertAt + inserted.length)
      const kept = new Set(chunkDigests(shifted, cdcChunks(shifted)))
      const unchanged = after.filter((digest) => kept.has(digest)).length
      expect(unchanged / after.length).toBeGreaterThanOrEqual(0.9)
    }
  })

  it('finds a cut only from the bytes before it (what streaming relies on)', () => {
    const bytes = seededBytes(9, 300 * KiB)
    const params = resolveCdcOptions()
    const cut = findCutPoint(bytes, 0, bytes.length, params)
    expect(cut).toBeLessThan(128 * KiB)
    expect(findCutPoint(bytes.subarray(0, cut + 1), 0, cut + 1, params)).toBe(cut)
    expect(findCutPoint(bytes, 1000, bytes.length, params)).toBe(
      1000 + findCutPoint(bytes.subarray(1000), 0, bytes.length - 1000, params),
    )
  })

  it('rejects options outside their domain with DWCP_ERR_INVALID_ARGUMENT', () => {
    const bad: CdcOptions[] = [
      { minSizeBytes: 63, averageSizeBytes: 128, maxSizeBytes: 256 },
      { minSizeBytes: 1.5 },
      { averageSizeBytes: 40 * KiB },
      { averageSizeBytes: 8 * KiB },
      { averageSizeBytes: 128 * KiB },
      { maxSizeBytes: 65 * 1024 * KiB, averageSizeBytes: 64 * KiB },
      { maxSizeBytes: Number.NaN },
      { normalizationLevel: 4 },
      { normalizationLevel: -1 },
    ]
    for (const options of bad) {
      let caught: unknown
      try {
        cdcChunks(new Uint8Array(1), options)
      } catch (err) {
        caught = err
      }
      expect(isDwcpError(caught, 'DWCP_ERR_INVALID_ARGUMENT'), JSON.stringify(options)).toBe(true)
    }
    expect(
      resolveCdcOptions({ maxSizeBytes: 64 * 1024 * KiB, averageSizeBytes: 32 * 1024 * KiB }),
    ).toMatchObject({
      maskS: -1 << (32 - 27),
      maskL: -1 << (32 - 23),
    })
  })
})
