import { randomBytes } from 'node:crypto'
import { bytesSink, bytesSource } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { SessionFrame } from './frames.js'
import type { MultiStreamSession } from './multi-stream-session.js'
import { testSessions } from './test-sessions.js'
import { testStreamPair } from './test-stream-pair.js'

const sessions: MultiStreamSession[] = []

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close()
})

describe('striping', () => {
  it('puts chunks on every stream in turn', async () => {
    const pair = testStreamPair(4)
    const chunksPerStream = [0, 0, 0, 0]
    pair.a.streams.forEach((stream, index) => {
      const write = stream.write.bind(stream)
      stream.write = (frame: SessionFrame) => {
        if (frame.type === 'chunk') chunksPerStream[index] = (chunksPerStream[index] as number) + 1
        return write(frame)
      }
    })
    const { client, server } = testSessions(pair)
    sessions.push(client, server)
    const payload = randomBytes(40 * 65536)
    const sink = bytesSink(payload.byteLength)
    server.on('transfer', (incoming) => void incoming.accept(sink))
    await client.transfer(bytesSource(payload), { chunkBytes: 65536 })
    expect(Buffer.from(sink.bytes).equals(payload)).toBe(true)
    expect(chunksPerStream).toEqual([10, 10, 10, 10])
  })
})
