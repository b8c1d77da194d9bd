import type { Socket } from 'node:net'
import { bytesSink, type Logger, type Session, silentLogger, type Transport } from '@dwcp/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { patternSource } from '../compliance/pattern-source.js'
import { complianceComponents, complianceIdentity } from '../compliance/transport-suite.js'
import type { MultiStreamSession } from '../session/multi-stream-session.js'
import { applyCongestion } from './native-socket.js'
import { tcpTransport } from './tcp-transport.js'

/** Every socket the transport dials, in order: the session's streams on the dialling side. */
const dialled = vi.hoisted((): Socket[] => [])

vi.mock('node:net', async (importOriginal) => {
  const net = await importOriginal<typeof import('node:net')>()
  const connect = (...args: Parameters<typeof net.connect>): Socket => {
    const socket = net.connect(...args)
    dialled.push(socket)
    return socket
  }
  return { ...net, connect, default: { ...net, connect } }
})

const native = await import('@dwcp/rdma-native').catch((error: Error) => error)
const status =
  native instanceof Error ? { available: false as const, reason: native.message } : native.nativeStatus()
if (!status.available && process.env.DWCP_REQUIRE_NATIVE === '1')
  throw new Error(`DWCP_REQUIRE_NATIVE=1 but the native addon is unavailable: ${status.reason}`)
if (!status.available)
  console.warn(`TCP congestion control tests skipped: the native addon is unavailable (${status.reason})`)

/**
 * The algorithms this process may put a socket on: any loaded one as root, else those the kernel allows
 * everyone (`tcp_allowed_congestion_control`); cubic and bbr first where they are there, the algorithms of a
 * datacenter and an internet path.
 */
function settableAlgorithms(): string[] {
  if (native instanceof Error || !status.available) return []
  const settable =
    process.getuid?.() === 0 ? native.availableCongestionAlgorithms() : native.allowedCongestionAlgorithms()
  const rank = (algorithm: string): number => ['cubic', 'bbr'].indexOf(algorithm) >>> 0
  return [...settable].sort((x, y) => rank(x) - rank(y))
}

const algorithms = settableAlgorithms()
const skipReason = !status.available
  ? ` [skipped: the native addon is unavailable: ${status.reason}]`
  : algorithms.length < 2
    ? ` [skipped: fewer than two congestion control algorithms to choose from: ${algorithms.join(' ')}]`
    : ''

const transports: Transport[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
  dialled.length = 0
})

describe.skipIf(skipReason !== '')(`tcp session congestion control${skipReason}`, () => {
  it('puts every socket of the session on the algorithm, streams added later included', async () => {
    const [first, second] = algorithms as [string, string]
    const a = tcpTransport({ tls: false, streams: 4, congestion: second })(
      complianceComponents(complianceIdentity('sender')),
    )
    const b = tcpTransport({ tls: false })(complianceComponents(complianceIdentity('receiver')))
    transports.push(a, b)
    await a.start()
    await b.start()
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const session = (await a.dial(await b.listen('tcp://127.0.0.1:0'))) as MultiStreamSession
    const server = await accepted
    const read = (): string[] =>
      dialled.map((socket) => (native as typeof import('@dwcp/rdma-native')).congestionControl(socket))
    // The transport's own option applies as each socket connects.
    await vi.waitFor(() => expect(read()).toEqual(Array(4).fill(second)))

    // Streams still in their handshake take it as they join.
    session.setCongestion(first)
    await vi.waitFor(() => expect(read()).toEqual(Array(4).fill(first)))
    // Streams opened afterwards take the session's algorithm once they join, not the transport's.
    session.streams = 6
    await vi.waitFor(() => expect(read()).toEqual(Array(6).fill(first)))

    // The session still carries a transfer over all of them.
    server.on('transfer', (incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    await session.transfer(patternSource(8 * 1024 * 1024))

    // Every stream has joined by now: the change applies at once.
    session.setCongestion(second)
    expect(read()).toEqual(Array(6).fill(second))
  })
})

describe('tcp session congestion control without the addon', () => {
  it('is a logged no-op', () => {
    const lines: Array<Record<string, unknown>> = []
    const logger: Logger = { ...silentLogger(), debug: (fields) => void lines.push(fields) }
    applyCongestion('@dwcp/rdma-native is not installed', {} as Socket, 'cubic', logger)
    expect(lines).toEqual([{ algorithm: 'cubic', reason: '@dwcp/rdma-native is not installed' }])
  })
})
