import { seededRandom } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pagePair, repeatText, structured } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'
import { corruptReason, decodesOrFrameError, thrownDwcpError } from './test-fixtures/typed-errors.js'
import {
  checkZstdLevel,
  compressZstdPage,
  decompressZstdPage,
  ZSTD_LEVEL_MAX,
  ZSTD_LEVEL_MIN,
  zstdDeltaApplies,
} from './zstd-page.js'

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

describe('compressZstdPage / decompressZstdPage', () => {
  it('round-trips pages with and without their baseline as dictionary', () => {
    fc.assert(
      fc.property(pagePair, fc.constantFrom(1, 3, 9), ({ baseline, page }, level) => {
        const plain = compressZstdPage(page, level)
        expectSameBytes(decompressZstdPage(plain, page.length), page)
        if (zstdDeltaApplies(baseline)) {
          const delta = compressZstdPage(page, level, baseline)
          expectSameBytes(decompressZstdPage(delta, page.length, baseline), page)
        }
      }),
      { seed: 0x25d1, numRuns: 600 },
    )
  })

  it('makes a lightly changed page far smaller than plain zstd does', () => {
    const random = seededRandom(0x25d0)
    const baseline = new Uint8Array(4096).map(() => Math.floor(random.next() * 256))
    const page = baseline.slice()
    page.fill(0x41, 1000, 1008)
    for (const level of [1, 3, 9]) {
      const delta = compressZstdPage(page, level, baseline)
      // Random content does not compress on its own; against its old version only the change remains.
      expect(compressZstdPage(page, level).length).toBeGreaterThan(4000)
      expect(delta.length).toBeLessThan(4096 / 20)
      expectSameBytes(decompressZstdPage(delta, 4096, baseline), page)
    }
  })

  it('defines zstd-delta only for baselines of 8 bytes or more without the dictionary magic', () => {
    expect(zstdDeltaApplies(new Uint8Array(7))).toBe(false)
    expect(zstdDeltaApplies(new Uint8Array(8))).toBe(true)
    const magic = new Uint8Array(4096)
    magic.set([0x37, 0xa4, 0x30, 0xec])
    expect(zstdDeltaApplies(magic)).toBe(false)
    thrownDwcpError(() => compressZstdPage(new Uint8Array(4096), 3, magic), 'DWCP_ERR_INVALID_ARGUMENT')
    const payload = compressZstdPage(new Uint8Array(4096), 3)
    expect(corruptReason(() => decompressZstdPage(payload, 4096, magic))).toMatch(/dictionary magic/)
  })

  it('refuses a frame whose content size is not the announced size, before allocating for it', () => {
    const large = compressZstdPage(repeatText('memory ', 1 << 20), 3)
    expect(corruptReason(() => decompressZstdPage(large, 4096))).toMatch(
      /zstd frame holds 1048576 bytes, the frame announces 4096/,
    )
    const page = compressZstdPage(structured([1, 2], 4096), 3)
    expect(corruptReason(() => decompressZstdPage(page, 4095))).toMatch(/holds 4096 bytes/)
  })

  it('refuses trailing bytes, a second frame, truncation and garbage with typed errors', () => {
    const page = structured([7, 8, 9], 4096)
    const payload = compressZstdPage(page, 3)
    expect(corruptReason(() => decompressZstdPage(new Uint8Array([...payload, 0]), 4096))).toMatch(
      /after the zstd frame/,
    )
    expect(corruptReason(() => decompressZstdPage(new Uint8Array([...payload, ...payload]), 4096))).toMatch(
      /after the zstd frame/,
    )
    for (let length = 0; length < payload.length; length++) {
      expect(decodesOrFrameError(() => decompressZstdPage(payload.subarray(0, length), 4096))).toBe(false)
    }
    expect(corruptReason(() => decompressZstdPage(new Uint8Array([1, 2, 3, 4, 5, 6]), 4096))).toMatch(
      /zstd frame/,
    )
  })

  it('decompresses arbitrary zstd-looking bytes to exactly the announced size or throws a typed error', () => {
    const baseline = structured([3, 1, 4, 1, 5], 4096)
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        fc.nat({ max: 4096 }),
        (rest, dict, size) => {
          const payload = new Uint8Array([...ZSTD_MAGIC, ...rest])
          let page: Uint8Array | undefined
          const decode = () => (page = decompressZstdPage(payload, size, dict ? baseline : undefined))
          if (decodesOrFrameError(decode)) expect(page).toHaveLength(size)
        },
      ),
      { seed: 0x25d2, numRuns: 3000 },
    )
  })

  it('survives flipped bytes inside valid payloads: right size or a typed error', () => {
    const baseline = structured([11, 22, 33], 4096)
    const page = baseline.slice()
    page.fill(9, 200, 260)
    const payloads = [compressZstdPage(page, 3), compressZstdPage(page, 3, baseline)]
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 1 }), (at, mask, which) => {
        const payload = payloads[which]!.slice()
        payload[at % payload.length]! ^= mask
        let decoded: Uint8Array | undefined
        const dictionary = which === 1 ? baseline : undefined
        if (decodesOrFrameError(() => (decoded = decompressZstdPage(payload, 4096, dictionary)))) {
          expect(decoded).toHaveLength(4096)
        }
      }),
      { seed: 0x25d3, numRuns: 2000 },
    )
  })

  it('accepts the levels a frame can carry and zstd knows, nothing else', () => {
    expect(ZSTD_LEVEL_MIN).toBe(-128)
    expect(ZSTD_LEVEL_MAX).toBe(22)
    for (const level of [-128, 1, 3, 22]) checkZstdLevel(level)
    for (const level of [-129, 23, 2.5, Number.NaN])
      thrownDwcpError(() => checkZstdLevel(level), 'DWCP_ERR_INVALID_ARGUMENT')
  })
})
