import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect as ipcConnect, Socket } from 'node:net'
import { constants, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DwcpError, isDwcpError } from '@dwcp/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  congestionControl,
  isMptcp,
  notSentLowatBytes,
  receiveBufferBytes,
  sendBufferBytes,
  setCongestionControl,
  setNotSentLowatBytes,
  setReceiveBufferBytes,
  setSendBufferBytes,
} from './socket-options.js'
import { allowedCongestionAlgorithms, availableCongestionAlgorithms } from './system-support.js'
import { Loopback, nativeTestGate, openSocketResources } from './test-support.js'

type SocketOptionError = DwcpError<{ option: string; errno: number; reason: string }>
const { EBADF, ENOENT, EOPNOTSUPP, EPERM } = constants.errno

const gate = nativeTestGate()
const loopback = new Loopback()
afterEach(() => loopback.close())

function socketOptionError(run: () => unknown): SocketOptionError {
  try {
    run()
  } catch (err) {
    expect(isDwcpError(err, 'DWCP_ERR_SOCKET_OPTION'), String(err)).toBe(true)
    return err as SocketOptionError
  }
  throw new Error('expected a SocketOptionError, the call returned')
}

describe('socket options without a file descriptor (no addon needed)', () => {
  it('refuses a destroyed socket with EBADF, naming the option', async () => {
    const { client } = await loopback.pair()
    client.destroy()
    const err = socketOptionError(() => setCongestionControl(client, 'cubic'))
    expect(err.data).toMatchObject({ option: 'TCP_CONGESTION', errno: EBADF })
    expect(err.data.reason).toContain('destroyed')
    expect(socketOptionError(() => sendBufferBytes(client)).data.option).toBe('SO_SNDBUF')
  })

  it('refuses a socket that was never connected', () => {
    const err = socketOptionError(() => congestionControl(new Socket()))
    expect(err.data).toMatchObject({ option: 'TCP_CONGESTION', errno: EBADF })
    expect(err.data.reason).toContain('not connected')
  })

  it('checks its arguments before touching the socket', () => {
    const socket = new Socket()
    for (const name of ['', 'a-name-longer-than-15', 'bb r', 'bbr\0']) {
      expect(() => setCongestionControl(socket, name)).toThrow(/invalid name/)
    }
    for (const bytes of [-1, 1.5, 2 ** 31, Number.NaN]) {
      expect(() => setSendBufferBytes(socket, bytes)).toThrow(/invalid bytes/)
    }
  })
})

describe.skipIf(!gate.run)(`socket options on a live loopback TCP connection${gate.note}`, () => {
  it.runIf(gate.required)('has the addon, as DWCP_REQUIRE_NATIVE=1 demands', async () => {
    const { client } = await loopback.pair()
    expect(() => congestionControl(client)).not.toThrow()
  })

  const available = availableCongestionAlgorithms()
  const allowed = allowedCongestionAlgorithms()
  for (const algorithm of ['bbr', 'cubic', 'reno']) {
    it(`sets ${algorithm} and reads it back`, async (ctx) => {
      if (!available.includes(algorithm)) {
        ctx.skip(`${algorithm} is not in tcp_available_congestion_control (${available.join(' ')})`)
      }
      const { client, accepted } = await loopback.pair()
      try {
        setCongestionControl(client, algorithm)
      } catch (err) {
        // Without CAP_NET_ADMIN only the algorithms in tcp_allowed_congestion_control can be chosen.
        const denied = isDwcpError(err) && (err as SocketOptionError).data.errno === EPERM
        if (denied && !allowed.includes(algorithm)) {
          ctx.skip(
            `${algorithm} is not in tcp_allowed_congestion_control and the process lacks CAP_NET_ADMIN`,
          )
        }
        throw err
      }
      expect(congestionControl(client)).toBe(algorithm)
      // Per socket: the other end keeps its own algorithm.
      expect(available).toContain(congestionControl(accepted))
    })
  }

  it('refuses an unknown algorithm with ENOENT and the available ones', async () => {
    const { client } = await loopback.pair()
    const before = congestionControl(client)
    const err = socketOptionError(() => setCongestionControl(client, 'nope'))
    expect(err.code).toBe('DWCP_ERR_SOCKET_OPTION')
    expect(err.data.option).toBe('TCP_CONGESTION')
    expect(err.data.errno).toBe(ENOENT)
    expect(err.data.reason).toMatch(/setsockopt\(fd \d+, TCP_CONGESTION\) failed with ENOENT/)
    expect(err.data.reason).toContain('"nope" is not an available congestion control algorithm')
    expect(err.message).toBe(`socket option TCP_CONGESTION: ${err.data.reason}`)
    expect(congestionControl(client)).toBe(before)
  })

  it('sets SO_SNDBUF and SO_RCVBUF, reading back what the kernel reports (Linux doubles them)', async () => {
    const { client } = await loopback.pair()
    const bytes = 128 * 1024
    setSendBufferBytes(client, bytes)
    setReceiveBufferBytes(client, bytes)
    const send = sendBufferBytes(client)
    const receive = receiveBufferBytes(client)
    expect(send).toBeGreaterThanOrEqual(bytes)
    expect(receive).toBeGreaterThanOrEqual(bytes)
    if (process.platform === 'linux') {
      expect(send).toBe(2 * bytes)
      expect(receive).toBe(2 * bytes)
    }
  })

  it('round-trips TCP_NOTSENT_LOWAT exactly', async () => {
    const { client } = await loopback.pair()
    expect(notSentLowatBytes(client)).toBeGreaterThanOrEqual(0)
    setNotSentLowatBytes(client, 16_384)
    expect(notSentLowatBytes(client)).toBe(16_384)
    setNotSentLowatBytes(client, 131_072)
    expect(notSentLowatBytes(client)).toBe(131_072)
  })

  it('works on the accepted side too, and reports plain TCP as not MPTCP', async () => {
    const { client, accepted } = await loopback.pair()
    setNotSentLowatBytes(accepted, 65_536)
    expect(notSentLowatBytes(accepted)).toBe(65_536)
    expect(isMptcp(client)).toBe(false)
    expect(isMptcp(accepted)).toBe(false)
  })

  it('refuses a Unix domain socket with EOPNOTSUPP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dwcp-sockets-'))
    const path = join(dir, 's.sock')
    const server = createServer((s) => loopback.track(s))
    try {
      server.listen(path)
      await once(server, 'listening')
      const client = loopback.track(ipcConnect(path))
      await once(client, 'connect')
      const err = socketOptionError(() => setCongestionControl(client, 'reno'))
      expect(err.data).toMatchObject({ option: 'TCP_CONGESTION', errno: EOPNOTSUPP })
      expect(err.data.reason).toContain('is not a TCP socket (a Unix domain socket)')
    } finally {
      await loopback.close()
      await new Promise((resolve) => server.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

afterAll(async () => {
  await loopback.close()
  expect(await openSocketResources()).toEqual([])
})
