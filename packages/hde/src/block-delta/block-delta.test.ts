import { isDwcpError, seededRandom } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBlockDelta } from './block-delta-decoder.js'
import { encodeBlockDelta } from './block-delta-encoder.js'

const B = 4096

/** A base image of `blocks` blocks: text-like, zero and random blocks, from a seed. */
function baseImage(blocks: number, seed: number): Uint8Array {
  const random = seededRandom(seed)
  const image = new Uint8Array(blocks * B)
  for (let i = 0; i < blocks; i++) {
    const kind = Math.floor(random.next() * 3)
    if (kind === 0) continue // zero block
    for (let j = 0; j < B; j++)
      image[i * B + j] = kind === 1 ? 97 + Math.floor(random.next() * 20) : Math.floor(random.next() * 256)
  }
  return image
}

/** The target: blocks kept, moved, slightly changed, new; then the length adjusted. */
function targetImage(base: Uint8Array, seed: number, extraBytes: number): Uint8Array {
  const random = seededRandom(seed)
  const blocks = base.byteLength / B
  const target = new Uint8Array(Math.max(0, base.byteLength + extraBytes))
  for (let i = 0; i < Math.ceil(target.byteLength / B); i++) {
    const roll = random.next()
    const end = Math.min(target.byteLength, (i + 1) * B)
    if (roll < 0.4 && i < blocks) target.set(base.subarray(i * B, end), i * B)
    else if (roll < 0.7) {
      const from = Math.floor(random.next() * blocks)
      target.set(base.subarray(from * B, from * B + (end - i * B)), i * B)
    } else if (roll < 0.85 && i < blocks) {
      target.set(base.subarray(i * B, end), i * B)
      for (let k = 0; k < 6; k++)
        target[i * B + Math.floor(random.next() * (end - i * B))] = Math.floor(random.next() * 256)
    } else for (let j = i * B; j < end; j++) target[j] = Math.floor(random.next() * 256)
  }
  return target
}

describe('block delta', () => {
  it('rebuilds the target from the base, with same, copied, delta and literal blocks', () => {
    const base = baseImage(256, 1)
    const target = targetImage(base, 2, 0)
    const { delta, stats } = encodeBlockDelta(base, target)
    expect(stats.sameBlocks).toBeGreaterThan(50)
    expect(stats.copiedBlocks).toBeGreaterThan(30)
    expect(stats.deltaBlocks).toBeGreaterThan(10)
    expect(stats.literalBlocks).toBeGreaterThan(10)
    expect(
      Buffer.from(decodeBlockDelta(base, delta, { maxTargetBytes: target.byteLength })).equals(
        Buffer.from(target),
      ),
    ).toBe(true)
    // Unchanged and moved blocks cost almost nothing: the delta is far below the new content's size.
    expect(delta.byteLength).toBeLessThan((stats.literalBlocks + stats.deltaBlocks) * B)
  })

  it('leaves a Buffer base untouched (Buffer slices are views)', () => {
    const base = Buffer.from(baseImage(64, 8))
    const copy = Buffer.from(base)
    const target = targetImage(base, 9, 0)
    const { delta, stats } = encodeBlockDelta(base, Buffer.from(target))
    expect(stats.deltaBlocks).toBeGreaterThan(0)
    expect(
      Buffer.from(decodeBlockDelta(base, delta, { maxTargetBytes: target.byteLength })).equals(
        Buffer.from(target),
      ),
    ).toBe(true)
    expect(base.equals(copy)).toBe(true)
  })

  it('round-trips targets longer and shorter than the base, partial last blocks, and empty images', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: -40 * B, max: 20 * B }),
        fc.nat(1000),
        (blocks, extra, seed) => {
          const base = baseImage(blocks, seed)
          const target = targetImage(base, seed + 1, Math.max(-base.byteLength, extra))
          const { delta } = encodeBlockDelta(base, target, { level: 1 })
          const rebuilt = decodeBlockDelta(base, delta, { maxTargetBytes: target.byteLength })
          expect(Buffer.from(rebuilt).equals(Buffer.from(target))).toBe(true)
        },
      ),
      { seed: 11, numRuns: 60 },
    )
  })

  it('gives typed errors, never wrong bytes, for damaged deltas and the wrong base', () => {
    const base = baseImage(48, 3)
    const target = targetImage(base, 4, 1234)
    const { delta } = encodeBlockDelta(base, target)
    const expectFailure = (run: () => unknown): void => {
      let error: unknown
      try {
        run()
      } catch (e) {
        error = e
      }
      expect(
        isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT') || isDwcpError(error, 'DWCP_ERR_FRAME_TOO_LARGE'),
      ).toBe(true)
    }
    fc.assert(
      fc.property(fc.nat(delta.byteLength * 8 - 1), (bit) => {
        const damaged = delta.slice()
        damaged[bit >> 3] = (damaged[bit >> 3] as number) ^ (1 << (bit & 7))
        expectFailure(() => decodeBlockDelta(base, damaged, { maxTargetBytes: 1 << 30 }))
      }),
      { seed: 5, numRuns: 400 },
    )
    for (const cut of [0, 10, 71, 72, delta.byteLength - 1])
      expectFailure(() => decodeBlockDelta(base, delta.subarray(0, cut), { maxTargetBytes: 1 << 30 }))
    const otherBase = base.slice()
    otherBase[5] = (otherBase[5] as number) ^ 1
    expectFailure(() => decodeBlockDelta(otherBase, delta, { maxTargetBytes: 1 << 30 }))
    expectFailure(() => decodeBlockDelta(base.subarray(B), delta, { maxTargetBytes: 1 << 30 }))
    expectFailure(() => decodeBlockDelta(base, delta, { maxTargetBytes: target.byteLength - 1 }))
  })

  it('refuses a block size that is not a power of two in range', () => {
    for (const blockBytes of [0, 100, 3000, 1 << 21]) {
      let error: unknown
      try {
        encodeBlockDelta(new Uint8Array(0), new Uint8Array(0), { blockBytes })
      } catch (e) {
        error = e
      }
      expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})
