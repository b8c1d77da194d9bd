import { isDwcpError, manualClock } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { countingCodec } from '../compliance/counting-codec.js'
import type { SessionFrame } from './frames.js'
import { TransferReceiver } from './transfer-receiver.js'

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const CHUNK_BYTES = 512

/**
 * What a hostile or broken sender can put in a chunk frame: mostly whole chunks at chunk offsets (so that
 * transfers get far), else short chunks, arbitrary offsets and lengths, and offsets no sender would use.
 */
const chunkFrame = fc.record({
  shape: fc.oneof(
    { weight: 30, arbitrary: fc.constant('whole') },
    { weight: 1, arbitrary: fc.constantFrom('short', 'arbitrary', 'absurd') },
  ),
  index: fc.integer({ min: 0, max: 6 }),
  arbitraryOffset: fc.integer({ min: 0, max: 4096 }),
  absurdOffset: fc.constantFrom(-1, 0.5, Number.MAX_SAFE_INTEGER, 2 ** 53),
  length: fc.integer({ min: 1, max: 1200 }),
  fill: fc.integer({ min: 0, max: 255 }),
  encoded: fc.boolean(),
  /** For an encoded chunk: a valid codec frame of the bytes, else the bytes themselves (garbage to the decoder). */
  wellFormed: fc.oneof(
    { weight: 30, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
})

type ChunkPlan = typeof chunkFrame extends fc.Arbitrary<infer T> ? T : never

/** The offset and bytes `plan` makes for an object of `sizeBytes`. */
function chunkOf(plan: ChunkPlan, sizeBytes: number): { offsetBytes: number; bytes: Uint8Array } {
  const at = plan.index * CHUNK_BYTES
  const whole = Math.max(1, Math.min(CHUNK_BYTES, sizeBytes - at))
  switch (plan.shape) {
    case 'whole':
      return { offsetBytes: at, bytes: new Uint8Array(whole).fill(plan.fill) }
    case 'short':
      return { offsetBytes: at, bytes: new Uint8Array(Math.max(1, whole - 1 - (plan.length % whole))) }
    case 'arbitrary':
      return { offsetBytes: plan.arbitraryOffset, bytes: new Uint8Array(plan.length) }
    default:
      return { offsetBytes: plan.absurdOffset, bytes: new Uint8Array(plan.length) }
  }
}

describe('TransferReceiver under fuzzing', () => {
  it('chunks, raw or encoded, in any order and shape: typed failures only, and the sink sees sane writes', async () => {
    const codec = countingCodec()
    await fc.assert(
      fc.asyncProperty(
        fc.array(chunkFrame, { maxLength: 24 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 * CHUNK_BYTES }),
        async (frames, positional, withDecoder, sizeBytes) => {
          const chunkBytes = CHUNK_BYTES
          const sent: SessionFrame[] = []
          const receiver = new TransferReceiver(
            { type: 'transfer-offer', id: 'fuzz', sizeBytes, chunkBytes, metadata: {} },
            {
              clock: manualClock(),
              control: async (frame) => {
                sent.push(frame)
              },
              onSettled: () => {},
              maxBufferedBytes: 2048,
              ...(withDecoder
                ? { decodeChunk: (frame: Uint8Array) => codec.decode(frame, { mode: 'hybrid' }) }
                : {}),
            },
          )
          const written: Array<[number, number]> = []
          let outcome: unknown = 'pending'
          receiver
            .accept({
              positional,
              write: async (offsetBytes, bytes) => {
                written.push([offsetBytes, bytes.byteLength])
              },
            })
            .then(
              () => {
                outcome = 'done'
              },
              (error: unknown) => {
                outcome = error
              },
            )
          for (const [i, plan] of frames.entries()) {
            const chunk = chunkOf(plan, sizeBytes)
            const bytes =
              plan.encoded && plan.wellFormed
                ? (await codec.encode(chunk.bytes, { mode: 'hybrid' })).frame
                : chunk.bytes
            receiver.handle({
              type: 'chunk',
              id: 'fuzz',
              offsetBytes: chunk.offsetBytes,
              bytes,
              ...(plan.encoded ? { encoded: true } : {}),
            })
            // Sometimes let decodes and writes run between frames, sometimes not.
            if (i % 3 === 0) await flush()
          }
          await flush()
          await flush()
          if (outcome !== 'pending' && outcome !== 'done')
            expect(isDwcpError(outcome), String(outcome)).toBe(true)
          // Writes stay inside the object and never overlap; in order they are contiguous from 0.
          const sorted = [...written].sort((x, y) => x[0] - y[0])
          let end = 0
          for (const [offset, length] of sorted) {
            expect(offset).toBeGreaterThanOrEqual(end)
            expect(offset + length).toBeLessThanOrEqual(sizeBytes)
            if (positional) expect(offset % chunkBytes).toBe(0)
            else expect(offset).toBe(end)
            end = offset + length
          }
          if (!positional) expect(written).toEqual(sorted)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
