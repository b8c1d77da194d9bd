import { isDwcpError, type Logger, type Session, silentLogger, type Transport } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { complianceIdentity, fromFactory } from '../compliance/transport-suite.js'
import { MemoryNetwork } from '../memory/memory-network.js'
import { memoryTransport } from '../memory/memory-transport.js'
import type { MultiStreamSession } from './multi-stream-session.js'

const transports: Transport[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
})

describe('setCongestion', () => {
  it('is a logged no-op on streams without congestion control of their own, and checks its argument', async () => {
    const lines: string[] = []
    const logger: Logger = {
      ...silentLogger(),
      debug: (_fields, message) => void lines.push(message ?? ''),
      child: () => logger,
    }
    const network = new MemoryNetwork()
    const create = fromFactory(memoryTransport({ network }))
    const a = await create(complianceIdentity('node-a'), { logger })
    const b = await create(complianceIdentity('node-b'))
    transports.push(a, b)
    await a.start()
    await b.start()
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const session = (await a.dial(await b.listen('memory://'))) as MultiStreamSession
    await accepted

    session.setCongestion('cubic')
    expect(lines).toContain('these streams have no congestion control to choose')
    for (const bad of ['', 'a-name-longer-than-15', 'bb r', 'bbr\0', 7 as unknown as string])
      expect(() => session.setCongestion(bad)).toThrow(
        expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
      )
    await session.close()
    let closed: unknown
    try {
      session.setCongestion('bbr')
    } catch (error) {
      closed = error
    }
    expect(isDwcpError(closed, 'DWCP_ERR_SESSION_CLOSED')).toBe(true)
  })
})
