import { createHash } from 'node:crypto'
import type { TransferSink, TransferSource } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { countingCodec } from '../compliance/counting-codec.js'
import type { MultiStreamSession } from './multi-stream-session.js'
import { testSessions } from './test-sessions.js'
import { testStreamPair } from './test-stream-pair.js'

const sessions: MultiStreamSession[] = []

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close()
})

/**
 * An object whose bytes change while it is sent, as a running VM's memory does: every read returns the bytes
 * of a new generation, so two reads of one offset never agree. It remembers the first copy read at each offset.
 */
function changingSource(sizeBytes: number): TransferSource & {
  readsAt: Map<number, number>
  firstCopies: Map<number, Uint8Array>
} {
  let generation = 0
  const readsAt = new Map<number, number>()
  const firstCopies = new Map<number, Uint8Array>()
  return {
    sizeBytes,
    readsAt,
    firstCopies,
    async read(offsetBytes, lengthBytes) {
      generation++
      const bytes = new Uint8Array(Math.min(lengthBytes, sizeBytes - offsetBytes))
      for (let i = 0; i < bytes.byteLength; i++) bytes[i] = (offsetBytes + i + 31 * generation) & 0xff
      readsAt.set(offsetBytes, (readsAt.get(offsetBytes) ?? 0) + 1)
      if (!firstCopies.has(offsetBytes)) firstCopies.set(offsetBytes, bytes.slice())
      return bytes
    },
  }
}

/** The digest of an object made of `chunks` (offset order), as the sender computes it in either mode. */
function digestOf(chunks: Uint8Array[], positional: boolean): string {
  if (!positional) {
    const hash = createHash('sha256')
    for (const chunk of chunks) hash.update(chunk)
    return `sha256:${hash.digest('hex')}`
  }
  const list = chunks.map((chunk) => createHash('sha256').update(chunk).digest())
  return `sha256-list:${createHash('sha256').update(Buffer.concat(list)).digest('hex')}`
}

describe('a chunk sent again', () => {
  it.each([
    ['raw, into a positional sink', false, true],
    ['raw, into an in-order sink', false, false],
    ['encoded, into a positional sink', true, true],
    ['encoded, into an in-order sink', true, false],
  ])(
    'carries the bytes of its first send when the source changed meanwhile (%s)',
    async (_, encode, positional) => {
      const chunkBytes = 64 * 1024
      const chunkCount = 32
      const pair = testStreamPair(4)
      const codec = countingCodec()
      const { client, server } = testSessions(pair, codec)
      sessions.push(client, server)
      const source = changingSource(chunkCount * chunkBytes)
      const assembled = new Uint8Array(source.sizeBytes)
      // Stream 2 holds what it carries, as a connection backing off after a retransmission timeout does; only
      // the stall detector frees its chunks. Once their second copies land, it lets the first copies through
      // too, late, so the receiver sees both and keeps the second.
      pair.stall(2)
      const stalledOffsets = (): Set<number> =>
        new Set(pair.chunksSent.filter((sent) => sent.stream === 2).map((sent) => sent.offsetBytes))
      const sink: TransferSink = {
        positional,
        write: async (offsetBytes, bytes) => {
          if (stalledOffsets().has(offsetBytes)) pair.unstall(2)
          assembled.set(bytes, offsetBytes)
        },
      }
      const received = new Promise<string>((resolve, reject) =>
        server.once('transfer', (incoming) => {
          incoming.accept(sink).then((result) => resolve(result.digest), reject)
        }),
      )
      const sent = await client.transfer(source, { chunkBytes, ...(encode ? { codec } : {}) })
      expect(await received).toBe(sent.digest)

      // Chunks went twice: the stalled stream's first copies, then their resends on the other streams.
      const resent = pair.chunksSent.length - chunkCount
      expect(resent).toBeGreaterThan(0)
      expect(stalledOffsets().size).toBeGreaterThanOrEqual(resent)
      // The source was read once per chunk and the codec ran once per chunk: a resend is the first send again.
      expect([...source.readsAt.values()].every((reads) => reads === 1)).toBe(true)
      expect(source.readsAt.size).toBe(chunkCount)
      if (encode) {
        expect(codec.framesEncoded).toBe(chunkCount)
        expect(codec.encodedBytes).toBe(source.sizeBytes)
      } else expect(codec.framesEncoded).toBe(0)
      // The digest covers the first copies, and the receiver holds exactly them.
      const offsets = Array.from({ length: chunkCount }, (_, i) => i * chunkBytes)
      const firstCopies = offsets.map((offset) => source.firstCopies.get(offset) as Uint8Array)
      expect(sent.digest).toBe(digestOf(firstCopies, positional))
      expect(Buffer.from(assembled).equals(Buffer.concat(firstCopies))).toBe(true)
    },
    20_000,
  )
})
