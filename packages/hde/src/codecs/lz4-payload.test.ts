import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  lz4CompressPayload,
  lz4CompressPayloadOffThread,
  lz4DecompressPayload,
  lz4MaxPayloadBytes,
} from './lz4-payload.js'
import { CODEC_TEST_SEED, chunkArbitrary, seededBytes } from './test-fixtures/test-chunks.js'
import { assertTyped, isError, thrown } from './test-fixtures/test-errors.js'
import { buildLz4Frame, u32le } from './test-fixtures/test-lz4-frames.js'

const ascii = (text: string) => new TextEncoder().encode(text)
const corrupt = 'DWCP_ERR_FRAME_CORRUPT'

/** A compressed block that copies 12 bytes from 12 bytes back, then ends with the literals `vwxyz`. */
const backReference = Uint8Array.from([0x08, 0x0c, 0x00, 0x50, ...ascii('vwxyz')])

describe('lz4 payloads', () => {
  it('are the same frame whether compressed on the event loop or on a pool thread', async () => {
    const chunk = seededBytes(256 * 1024, CODEC_TEST_SEED)
    chunk.fill(7, 0, 64 * 1024)
    const offThread = await lz4CompressPayloadOffThread(chunk)
    expect(Buffer.from(offThread).equals(Buffer.from(lz4CompressPayload(chunk)))).toBe(true)
    expect(
      Buffer.from(lz4DecompressPayload(offThread, { maxOutputBytes: chunk.length })).equals(
        Buffer.from(chunk),
      ),
    ).toBe(true)
  })

  it('round-trip every kind of chunk, with and without the exact size', () => {
    fc.assert(
      fc.property(chunkArbitrary(200_000), (chunk) => {
        const payload = lz4CompressPayload(chunk)
        expect(payload.length).toBeLessThanOrEqual(lz4MaxPayloadBytes(chunk.length))
        const exact = lz4DecompressPayload(payload, {
          maxOutputBytes: chunk.length,
          expectedBytes: chunk.length,
        })
        expect(Buffer.from(exact).equals(chunk)).toBe(true)
        const bounded = lz4DecompressPayload(payload, { maxOutputBytes: chunk.length + 10 })
        expect(Buffer.from(bounded).equals(chunk)).toBe(true)
      }),
      { seed: CODEC_TEST_SEED, numRuns: 150 },
    )
  })

  it('reads stored blocks, the content size and all three checksums', () => {
    const content = ascii('hello, stored lz4 blocks')
    const frame = buildLz4Frame({
      blocks: [
        { data: content.subarray(0, 10), stored: true },
        { data: content.subarray(10), stored: true },
      ],
      content,
      blockChecksums: true,
      contentChecksum: true,
      contentSizeBytes: BigInt(content.length),
    })
    expect(lz4DecompressPayload(frame, { maxOutputBytes: 100 })).toEqual(content)
    expect(lz4DecompressPayload(frame, { maxOutputBytes: 100, expectedBytes: content.length })).toEqual(
      content,
    )
  })

  it('lets a linked block copy from the block before it, and refuses that in independent blocks', () => {
    const blocks = [{ data: ascii('abcdefghijkl'), stored: true }, { data: backReference }]
    const linked = buildLz4Frame({ blocks, independent: false })
    expect(new TextDecoder().decode(lz4DecompressPayload(linked, { maxOutputBytes: 100 }))).toBe(
      'abcdefghijklabcdefghijklvwxyz',
    )
    const independent = buildLz4Frame({ blocks, independent: true })
    expect(
      isError(
        thrown(() => lz4DecompressPayload(independent, { maxOutputBytes: 100 })),
        corrupt,
        /block 1/,
      ),
    ).toBe(true)
  })

  it('stops a bomb at the announced size instead of decoding it', () => {
    const bomb = lz4CompressPayload(new Uint8Array(16 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(100_000)
    const exact = thrown(() => lz4DecompressPayload(bomb, { maxOutputBytes: 1 << 30, expectedBytes: 4096 }))
    expect(isError(exact, corrupt, /at most 4096 bytes allowed/)).toBe(true)
    const bounded = thrown(() => lz4DecompressPayload(bomb, { maxOutputBytes: 100_000 }))
    expect(isError(bounded, corrupt)).toBe(true)
    const stored = buildLz4Frame({ blocks: [{ data: new Uint8Array(10), stored: true }] })
    expect(
      isError(
        thrown(() => lz4DecompressPayload(stored, { maxOutputBytes: 9 })),
        corrupt,
        /more than/,
      ),
    ).toBe(true)
  })

  it('checks a content size against the bound before decoding', () => {
    const frame = buildLz4Frame({ blocks: [], contentSizeBytes: 1n << 40n })
    expect(
      isError(
        thrown(() => lz4DecompressPayload(frame, { maxOutputBytes: 1 << 20 })),
        'DWCP_ERR_FRAME_TOO_LARGE',
      ),
    ).toBe(true)
    const announced = thrown(() => lz4DecompressPayload(frame, { maxOutputBytes: 1 << 20, expectedBytes: 0 }))
    expect(isError(announced, corrupt, /content size 1099511627776 is not the announced 0/)).toBe(true)
  })

  it('refuses a frame that decodes to fewer bytes than announced', () => {
    const payload = lz4CompressPayload(ascii('twelve bytes'))
    const err = thrown(() => lz4DecompressPayload(payload, { maxOutputBytes: 100, expectedBytes: 13 }))
    expect(isError(err, corrupt, /decodes to 12 bytes, not the announced 13/)).toBe(true)
  })

  it('names what is wrong with a malformed frame', () => {
    const valid = buildLz4Frame({
      blocks: [{ data: ascii('abc'), stored: true }],
      content: ascii('abc'),
      contentChecksum: true,
    })
    const edit = (at: number, value: number) => {
      const copy = valid.slice()
      copy[at] = value
      return copy
    }
    const cases: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.from(u32le(0x12345678)), /magic 0x12345678/],
      [Uint8Array.from([...u32le(0x184d2a53), ...u32le(0)]), /skippable/],
      [Uint8Array.from(u32le(0x184c2102)), /legacy/],
      [buildLz4Frame({ blocks: [], extraFlags: 0x80 }), /version 3/],
      [buildLz4Frame({ blocks: [], extraFlags: 0x02 }), /reserved bit/],
      [buildLz4Frame({ blocks: [], bd: 0x41 }), /reserved bit/],
      [buildLz4Frame({ blocks: [], bd: 0x30 }), /size code 3/],
      [buildLz4Frame({ blocks: [], extraFlags: 0x01 }), /dictionary id/],
      [edit(6, valid[6]! ^ 1), /header checksum/],
      [edit(valid.length - 1, valid[valid.length - 1]! ^ 1), /content checksum/],
      [buildLz4Frame({ blocks: [{ data: new Uint8Array(65_537), stored: true }] }), /65537 bytes exceeds/],
      [valid.subarray(0, valid.length - 6), /truncated/],
      [Uint8Array.from([...valid, 0]), /1 trailing bytes/],
      [new Uint8Array(0), /truncated in its magic/],
    ]
    for (const [payload, reason] of cases) {
      const err = thrown(() => lz4DecompressPayload(payload, { maxOutputBytes: 1 << 20 }))
      expect(isError(err, corrupt, reason), `${reason}: ${String(err)}`).toBe(true)
    }
    const checked = buildLz4Frame({ blocks: [{ data: ascii('abc'), stored: true }], blockChecksums: true })
    checked[checked.length - 5]! ^= 0x40
    expect(
      isError(
        thrown(() => lz4DecompressPayload(checked, { maxOutputBytes: 10 })),
        corrupt,
        /block 0 checksum/,
      ),
    ).toBe(true)
  })

  it('turns a block the native decoder rejects into a corrupt-frame error with its reason', () => {
    // Offset 0x0400 points before the start of the output.
    const frame = buildLz4Frame({
      blocks: [{ data: Uint8Array.from([0x10, 0x61, 0x00, 0x04, 0x50, ...ascii('abcde')]) }],
    })
    const err = thrown(() => lz4DecompressPayload(frame, { maxOutputBytes: 100 }))
    expect(isError(err, corrupt, /lz4 block 0 \(at most 100 bytes allowed\): ./)).toBe(true)
  })

  it('refuses bounds that are not non-negative integers, or an exact size above the bound', () => {
    const payload = lz4CompressPayload(new Uint8Array(1))
    for (const options of [
      { maxOutputBytes: -1 },
      { maxOutputBytes: 1.5 },
      { maxOutputBytes: 4, expectedBytes: 5 },
    ]) {
      expect(
        isError(
          thrown(() => lz4DecompressPayload(payload, options)),
          'DWCP_ERR_INVALID_ARGUMENT',
        ),
      ).toBe(true)
    }
  })

  it('decodes arbitrary or damaged payloads within the bound or throws a typed error', () => {
    const valid = lz4CompressPayload(seededBytes(3000, 7).map((byte) => byte & 0x0f))
    const damaged = fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
      const copy = valid.slice()
      copy[at]! ^= xor
      return copy
    })
    const prefixed = fc
      .uint8Array({ maxLength: 300 })
      .map((rest) => Uint8Array.from([...valid.subarray(0, 7), ...rest]))
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), damaged, prefixed), (payload) => {
        try {
          expect(lz4DecompressPayload(payload, { maxOutputBytes: 4000 }).length).toBeLessThanOrEqual(4000)
        } catch (err) {
          assertTyped(err, [corrupt, 'DWCP_ERR_FRAME_TOO_LARGE'])
        }
      }),
      { seed: CODEC_TEST_SEED, numRuns: 1000 },
    )
  })
})
