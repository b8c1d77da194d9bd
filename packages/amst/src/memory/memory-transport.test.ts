import { randomBytes } from 'node:crypto'
import { bytesSink, bytesSource, type Session } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { complianceIdentity, fromFactory, transportComplianceSuite } from '../compliance/transport-suite.js'
import type { MultiStreamSession } from '../session/multi-stream-session.js'
import { MemoryNetwork } from './memory-network.js'
import { memoryTransport } from './memory-transport.js'

const network = new MemoryNetwork()

transportComplianceSuite('memory', {
  create: fromFactory(memoryTransport({ network })),
  listenAddress: () => 'memory://',
  unreachableAddress: () => 'memory://nobody-here',
})

const lossy = new MemoryNetwork()

transportComplianceSuite('memory with 2 ms latency and 2 % loss', {
  create: fromFactory(memoryTransport({ network: lossy, conditions: { latencyMs: 2, lossRate: 0.02 } })),
  listenAddress: () => 'memory://',
  unreachableAddress: () => 'memory://nobody-here',
})

describe('memory transport pacing', () => {
  it('paces bulk chunks at the rate set on the session and still delivers intact', async () => {
    const paced = new MemoryNetwork()
    const create = fromFactory(memoryTransport({ network: paced, limits: { pacingRateBps: 1e9 } }))
    const a = await create(complianceIdentity('paced-a'))
    const b = await create(complianceIdentity('paced-b'))
    await a.start()
    await b.start()
    const address = await b.listen('memory://')
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const session = (await a.dial(address)) as MultiStreamSession
    const server = await accepted
    expect(session.pacingRateBps).toBe(1e9)
    session.setPacingRate(2e9)
    expect(session.pacingRateBps).toBe(2e9)
    expect(() => session.setPacingRate(-1)).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
    const payload = randomBytes(4 * 1024 * 1024)
    const sink = bytesSink(payload.byteLength)
    server.on('transfer', (incoming) => void incoming.accept(sink))
    await session.transfer(bytesSource(payload))
    expect(Buffer.from(sink.bytes).equals(payload)).toBe(true)
    await a.stop()
    await b.stop()
  })
})
