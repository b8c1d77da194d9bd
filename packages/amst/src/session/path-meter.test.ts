import {
  bytesSink,
  type ManualClock,
  manualClock,
  type PathSample,
  type Session,
  silentLogger,
  type TransferSource,
  type Transport,
} from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { patternSource } from '../compliance/pattern-source.js'
import { complianceIdentity } from '../compliance/transport-suite.js'
import type { LinkConditions } from '../memory/link.js'
import { MemoryNetwork } from '../memory/memory-network.js'
import { memoryTransport } from '../memory/memory-transport.js'

const MiB = 1024 * 1024
const RATE_BPS = 100e6
const CHUNK_BYTES = 64 * 1024

const transports: Transport[] = []

afterEach(async () => {
  // Stopping closes sessions, which waits on the clock: give it real timers' worth of patience.
  await Promise.all(transports.splice(0).map((t) => t.stop()))
})

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Advances the manual clock 1 ms at a time for `durationMs`, letting the event loop run between steps. */
async function runFor(clock: ManualClock, durationMs: number): Promise<void> {
  for (let elapsed = 0; elapsed < durationMs; elapsed++) {
    clock.advance(1)
    await flush()
  }
}

/** Runs the clock until `promise` settles (at most `limitMs`); returns its value. */
async function runUntil<T>(clock: ManualClock, promise: Promise<T>, limitMs = 60_000): Promise<T> {
  let settled = false
  promise.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  for (let elapsed = 0; !settled && elapsed < limitMs; elapsed++) {
    clock.advance(1)
    await flush()
  }
  return promise
}

/** Two sessions over one in-memory stream pair of `conditions`, on a manual clock starting at 0. */
async function connect(conditions: Partial<LinkConditions>): Promise<{
  clock: ManualClock
  client: Session
  server: Session
}> {
  const clock = manualClock()
  const network = new MemoryNetwork()
  const [a, b] = ['sender', 'receiver'].map((name) =>
    memoryTransport({ network, conditions, streams: 1 })({
      identity: () => complianceIdentity(name),
      clock,
      logger: silentLogger(),
    }),
  ) as [Transport, Transport]
  transports.push(a, b)
  await a.start()
  await b.start()
  const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
  const client = await a.dial(await b.listen('memory://'))
  const server = await accepted
  server.on('transfer', (incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
  return { clock, client, server }
}

/** A source whose every read takes `delayMs` on the clock: an application slower than the path. */
function slowSource(clock: ManualClock, sizeBytes: number, delayMs: number): TransferSource {
  const inner = patternSource(sizeBytes)
  return {
    sizeBytes,
    read: async (offsetBytes, lengthBytes) => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, delayMs))
      return inner.read(offsetBytes, lengthBytes)
    },
  }
}

const within = (actual: number, expected: number, fraction: number): void => {
  expect(actual).toBeGreaterThan(expected * (1 - fraction))
  expect(actual).toBeLessThan(expected * (1 + fraction))
}

describe('path samples of a sending session (delivery rate)', () => {
  it('give the link rate within 10 % after a second of steady sending, on both ends', async () => {
    const { clock, client, server } = await connect({ rateBps: RATE_BPS, latencyMs: 5 })
    const sent = client.transfer(patternSource(40 * MiB), { chunkBytes: CHUNK_BYTES })
    sent.catch(() => {})
    await runFor(clock, 2001) // the ping tick at 2000 ms closed the second full interval
    const sending = client.sample()
    const receiving = server.sample()
    within(sending.bandwidthBps, RATE_BPS, 0.1)
    expect(sending.appLimited).toBe(false)
    within(receiving.bandwidthBps, RATE_BPS, 0.1)
    expect(sending.rttMs).toBeGreaterThan(0)
    await runUntil(clock, sent)
  })

  it('give the path rate for 8 MiB transfers with pauses between them, not the average with the pauses', async () => {
    const { clock, client } = await connect({ rateBps: RATE_BPS, latencyMs: 1 })
    const samples: PathSample[] = []
    let nextTickMs = 1001
    const sampleTicks = (): void => {
      for (; clock.now() >= nextTickMs; nextTickMs += 1000) samples.push(client.sample())
    }
    const startedMs = clock.now()
    const transfers = 5
    for (let i = 0; i < transfers; i++) {
      const done = client.transfer(patternSource(8 * MiB), { chunkBytes: CHUNK_BYTES })
      while (!(await Promise.race([done.then(() => true), flush().then(() => false)]))) {
        clock.advance(1)
        sampleTicks()
      }
      for (let pauseMs = 0; pauseMs < 2200; pauseMs++) {
        clock.advance(1)
        sampleTicks()
        await flush()
      }
    }
    const averageBps = (transfers * 8 * MiB * 8 * 1000) / (clock.now() - startedMs)
    // The pauses make the average a fraction of the path's rate...
    expect(averageBps).toBeLessThan(0.5 * RATE_BPS)
    // ...but every interval that saw acknowledgements reports the path's rate.
    const measured = samples.filter((s) => s.bandwidthBps > 0)
    expect(measured.length).toBeGreaterThanOrEqual(transfers)
    for (const sample of measured) within(sample.bandwidthBps, RATE_BPS, 0.1)
    // Intervals in which nothing was acknowledged say nothing.
    expect(samples.length).toBeGreaterThan(measured.length)
  })

  it('are not lowered by a slow source: application-limited samples keep the estimate, marked', async () => {
    const { clock, client } = await connect({ rateBps: RATE_BPS, latencyMs: 5 })
    await runUntil(clock, client.transfer(patternSource(24 * MiB), { chunkBytes: CHUNK_BYTES }))
    await runFor(clock, 1000 - (clock.now() % 1000) + 1)
    const full = client.sample().bandwidthBps
    within(full, RATE_BPS, 0.1)
    // A source that supplies a chunk every 20 ms: a quarter of what the link carries.
    const slow = client.transfer(slowSource(clock, 8 * MiB, 20), { chunkBytes: CHUNK_BYTES })
    await runFor(clock, 2000)
    const limited = client.sample()
    expect(limited.appLimited).toBe(true)
    within(limited.bandwidthBps, RATE_BPS, 0.1)
    await runUntil(clock, slow)
  })

  it('report nothing on an idle session, and the receiving side only goodput', async () => {
    const { clock, client, server } = await connect({ rateBps: RATE_BPS, latencyMs: 5 })
    await runFor(clock, 2001)
    expect(client.sample()).toMatchObject({ bandwidthBps: 0, appLimited: false })
    expect(server.sample()).toMatchObject({ bandwidthBps: 0, appLimited: false })
  })
})
