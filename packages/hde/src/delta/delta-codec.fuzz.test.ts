/**
 * Fuzzing the delta codec's decoder: whatever bytes arrive, `decode` returns the chunk that was encoded or
 * rejects with `DWCP_ERR_FRAME_CORRUPT` / `DWCP_ERR_FRAME_TOO_LARGE`; it never returns other bytes, never
 * throws anything else, and never changes the receiver's baselines when it fails.
 */
import { isDwcpError, silentLogger } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame, type FrameAlgorithm } from '../frame.js'
import { versionedBaselineName } from './baseline-name.js'
import { boundedBaselineStore } from './baseline-store.js'
import { deltaCodec } from './delta-codec.js'
import { END_FRAME } from './page-frames.js'
import { concatPages, migration } from './test-fixtures/migration.js'
import { structured } from './test-fixtures/page-arbitraries.js'
import { expectSameBytes } from './test-fixtures/same-bytes.js'

const PAGE_BYTES = 256

/** Decodes, and returns the chunk or `undefined` after a typed frame error; anything else fails the test. */
async function decodeOrUndefined(decode: Promise<Uint8Array>): Promise<Uint8Array | undefined> {
  try {
    return await decode
  } catch (err) {
    if (isDwcpError(err, 'DWCP_ERR_FRAME_CORRUPT') || isDwcpError(err, 'DWCP_ERR_FRAME_TOO_LARGE'))
      return undefined
    throw new Error(`untyped failure: ${String(err)}`, { cause: err })
  }
}

/** A receiver that already holds round 1 of a three-page chunk, and round 2's encoded chunk. */
async function roundTwo() {
  const m = migration({ pageBytes: PAGE_BYTES })
  const pages = [
    structured([1, 2], PAGE_BYTES),
    structured([3], PAGE_BYTES),
    structured([4, 5, 6], PAGE_BYTES),
  ]
  await m.receive((await m.send(concatPages(pages), 'vm/f')).frame, 'vm/f')
  pages[0]!.fill(0x5a, 8, 16)
  pages[2]!.copyWithin(0, 40)
  const after = concatPages(pages)
  const { frame } = await m.send(after, 'vm/f')
  return { m, after, frame }
}

describe('deltaCodec.decode under fuzzing', () => {
  it('decodes arbitrary bytes or rejects with a typed frame error', async () => {
    const { m } = await roundTwo()
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        await decodeOrUndefined(m.receive(bytes, 'vm/f'))
      }),
      { seed: 0xdf01, numRuns: 1000 },
    )
  })

  it('detects every single-bit flip of an encoded chunk and keeps the baselines unchanged', async () => {
    const { m, after, frame } = await roundTwo()
    const held = m.receiverStore.ids().map((id) => m.receiverStore.get(id)!.slice())
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const flipped = frame.slice()
      flipped[bit >> 3]! ^= 1 << (bit & 7)
      expect(await decodeOrUndefined(m.receive(flipped, 'vm/f')), `bit ${bit}`).toBeUndefined()
    }
    expect(m.receiverStore.ids().map((id) => m.receiverStore.get(id))).toEqual(held)
    expectSameBytes(await m.receive(frame, 'vm/f'), after)
  })

  it('rejects every truncation and every extension of an encoded chunk', async () => {
    const { m, after, frame } = await roundTwo()
    for (let length = 0; length < frame.length; length++) {
      // Cuts at a frame boundary too: the end frame is missing.
      expect(
        await decodeOrUndefined(m.receive(frame.subarray(0, length), 'vm/f')),
        `length ${length}`,
      ).toBeUndefined()
    }
    for (const extra of [new Uint8Array([0]), END_FRAME, frame]) {
      expect(await decodeOrUndefined(m.receive(concatPages([frame, extra]), 'vm/f'))).toBeUndefined()
    }
    expectSameBytes(await m.receive(frame, 'vm/f'), after)
  })

  it('decodes well-framed pages with arbitrary payloads to the announced size or a typed error', async () => {
    const baseline = structured([7, 7, 1], PAGE_BYTES)
    const algorithms: FrameAlgorithm[] = ['zero', 'same', 'xbzrle', 'zstd-delta', 'zstd', 'none']
    const codec = deltaCodec({ pageBytes: PAGE_BYTES })({ logger: silentLogger() })
    const baselines = boundedBaselineStore({ maxBytes: 1 << 20 })
    let decodedCount = 0
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...algorithms),
        fc.boolean(),
        fc.integer({ min: 1, max: PAGE_BYTES }),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ maxLength: 8 }).map((b) => new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, ...b])),
        ),
        async (algorithm, named, originalBytes, payload) => {
          const page = baseline.subarray(0, originalBytes)
          baselines.put('vm/q/0', page)
          const baselineId = named ? versionedBaselineName('vm/q/0', page) : undefined
          const frame = encodeFrame({ algorithm, baselineId, originalBytes, payload })
          const decoded = await decodeOrUndefined(
            codec.decode(concatPages([frame, END_FRAME]), {
              mode: 'internet',
              baselineId: 'vm/q',
              baselines,
            }),
          )
          if (decoded !== undefined) {
            expect(decoded).toHaveLength(originalBytes)
            decodedCount++
          }
        },
      ),
      { seed: 0xdf02, numRuns: 2000 },
    )
    // The property reached the page decoders: some frames were well-formed enough to decode.
    expect(decodedCount).toBeGreaterThan(0)
  })
})
