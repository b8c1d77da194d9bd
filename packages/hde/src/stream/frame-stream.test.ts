import { isDwcpError, silentLogger } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { noneCodec } from '../none-codec.js'
import { decodeStream, encodeStream, rechunk, splitFrames } from './frame-stream.js'

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(bytes.byteLength, cut)
    if (end > at) yield bytes.subarray(at, end)
    at = Math.max(at, end)
  }
  if (at < bytes.byteLength) yield bytes.subarray(at)
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const item of source) out.push(item)
  return out
}

const codec = noneCodec()({ logger: silentLogger() })

describe('frame streams', () => {
  it('round-trips any byte stream, however it is split, through encode, split and decode', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.array(fc.nat(5000), { maxLength: 8 }),
        fc.array(fc.nat(6000), { maxLength: 8 }),
        fc.integer({ min: 1, max: 700 }),
        async (data, inputCuts, wireCuts, chunkBytes) => {
          const frames = await collect(
            encodeStream(pieces(data, inputCuts), codec, { mode: 'internet' }, chunkBytes),
          )
          expect(frames.length).toBe(Math.ceil(data.byteLength / chunkBytes))
          const wire = Buffer.concat(frames)
          const split = splitFrames(pieces(wire, wireCuts), 1 << 20)
          const chunks = await collect(decodeStream(split, codec, { mode: 'internet' }))
          expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true)
        },
      ),
      { seed: 42, numRuns: 150 },
    )
  })

  it('re-chunks into exact sizes, the last one shorter', async () => {
    const sizes = (await collect(rechunk(pieces(new Uint8Array(10), [3, 4, 9]), 4))).map((c) => c.byteLength)
    expect(sizes).toEqual([4, 4, 2])
  })

  it('refuses a stream cut inside a frame, foreign bytes and a frame over the bound', async () => {
    const { frame } = await codec.encode(new Uint8Array(100), { mode: 'internet' })
    const cases: Array<[Uint8Array, number, string]> = [
      [frame.subarray(0, frame.byteLength - 1), 1 << 20, 'DWCP_ERR_FRAME_CORRUPT'],
      [Uint8Array.from([1, 2, 3, 4]), 1 << 20, 'DWCP_ERR_FRAME_CORRUPT'],
      [frame, 50, 'DWCP_ERR_FRAME_TOO_LARGE'],
    ]
    for (const [bytes, bound, code] of cases) {
      const error = await collect(splitFrames(pieces(bytes, [5]), bound)).catch((e: unknown) => e)
      expect(isDwcpError(error, code as 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    }
  })
})
