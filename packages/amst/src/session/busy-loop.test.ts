import { randomBytes } from 'node:crypto'
import { bytesSink, bytesSource, type TransferSink } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import type { MultiStreamSession } from './multi-stream-session.js'
import { testSessions } from './test-sessions.js'
import { testStreamPair } from './test-stream-pair.js'

const sessions: MultiStreamSession[] = []
const stoppers: Array<() => void> = []

afterEach(async () => {
  for (const stop of stoppers.splice(0)) stop()
  for (const session of sessions.splice(0)) await session.close()
})

/** Keeps the event loop busy as a synchronous file write or hashing a large image does: `ms` without a turn. */
function blockFor(ms: number): void {
  const untilMs = performance.now() + ms
  while (performance.now() < untilMs) {
    // Spinning on purpose: nothing else may run.
  }
}

/**
 * Blocks the event loop for `blockMs` out of every `blockMs + freeMs`, until stopped: a process that encodes,
 * hashes and writes on its one loop between turns that do anything else.
 */
function loadEventLoop(blockMs: number, freeMs: number): void {
  let timer: NodeJS.Timeout | undefined
  const cycle = (): void => {
    blockFor(blockMs)
    timer = setTimeout(cycle, freeMs)
  }
  timer = setTimeout(cycle, freeMs)
  stoppers.push(() => clearTimeout(timer))
}

const chunkBytes = 64 * 1024
const chunkCount = 48

describe('stall detection in a busy process', () => {
  it.each([
    ['a positional sink', true],
    ['an in-order sink', false],
  ])(
    'sends nothing twice when the event loop blocks longer than the stall threshold (%s)',
    async (_, positional) => {
      const pair = testStreamPair(4)
      const { client, server } = testSessions(pair)
      sessions.push(client, server)
      const payload = randomBytes(chunkCount * chunkBytes)
      const target = bytesSink(payload.byteLength)
      let writes = 0
      // Every eighth write blocks the process for 300 ms (the 200 ms threshold and then some), with every
      // chunk in flight and the sender waiting for acknowledgements that cannot be read meanwhile.
      const sink: TransferSink = {
        positional,
        write: async (offsetBytes, bytes) => {
          if (++writes % 8 === 0) blockFor(300)
          await target.write(offsetBytes, bytes)
        },
      }
      const received = new Promise<string>((resolve, reject) =>
        server.once('transfer', (incoming) => {
          incoming.accept(sink).then((result) => resolve(result.digest), reject)
        }),
      )
      const sent = await client.transfer(bytesSource(payload), { chunkBytes })
      expect(await received).toBe(sent.digest)
      expect(Buffer.from(target.bytes).equals(payload)).toBe(true)
      // No stream stalled, so no chunk went twice.
      expect(pair.chunksSent.length).toBe(chunkCount)
    },
    30_000,
  )

  it.each([
    ['a positional sink', true],
    ['an in-order sink', false],
  ])(
    'still sends again what a stalled stream holds while the event loop is mostly blocked (%s)',
    async (_, positional) => {
      const pair = testStreamPair(4)
      const { client, server } = testSessions(pair)
      sessions.push(client, server)
      const payload = randomBytes(chunkCount * chunkBytes)
      const target = bytesSink(payload.byteLength)
      pair.stall(2)
      // Blocked 150 ms of every 170: an event loop busier than the one that caused the resends above.
      loadEventLoop(150, 20)
      const received = new Promise<string>((resolve, reject) =>
        server.once('transfer', (incoming) => {
          incoming.accept({ ...target, positional }).then((result) => resolve(result.digest), reject)
        }),
      )
      const startedMs = performance.now()
      const sent = await client.transfer(bytesSource(payload), { chunkBytes })
      const tookMs = performance.now() - startedMs
      expect(await received).toBe(sent.digest)
      expect(Buffer.from(target.bytes).equals(payload)).toBe(true)
      const stalled = pair.chunksSent.filter((chunk) => chunk.stream === 2).length
      expect(stalled).toBeGreaterThan(0)
      // What the stalled stream held went again on the others, and only that.
      expect(pair.chunksSent.length).toBe(chunkCount + stalled)
      // The stall counts only the loop's responsive time (about 40 ms of each 170 ms cycle here), so it is
      // noticed later than on an idle loop, but within seconds.
      expect(tookMs).toBeLessThan(10_000)
    },
    30_000,
  )
})
