import { once } from 'node:events'
import type { Socket } from 'node:net'
import { isDwcpError } from '@dwcp/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { pathSampleFromTcpInfo, tcpInfo } from './tcp-info.js'
import { REQUIRED_TCP_INFO_FIELDS, TcpCaState, type TcpInfo, TcpState } from './tcp-info-types.js'
import { Loopback, nativeTestGate, openSocketResources } from './test-support.js'

const gate = nativeTestGate()
const loopback = new Loopback()
afterEach(() => loopback.close())
afterAll(async () => {
  await loopback.close()
  expect(await openSocketResources()).toEqual([])
})

const OPTIONAL_FIELDS = ['bytesSent', 'bytesRetrans', 'dsackDups', 'reordSeen', 'rcvOooPack', 'sndWndBytes']

/** A TcpInfo with every required field 0 (false), then `overrides`. */
function fakeInfo(overrides: Partial<TcpInfo>): TcpInfo {
  const info: Record<string, number | boolean> = { infoBytes: 232 }
  for (const field of REQUIRED_TCP_INFO_FIELDS) info[field] = field === 'deliveryRateAppLimited' ? false : 0
  return { ...(info as unknown as TcpInfo), ...overrides }
}

/** Writes `bytes` from `from` and resolves once `to` has read all of them. */
async function pump(from: Socket, to: Socket, bytes: number): Promise<void> {
  let received = 0
  const done = new Promise<void>((resolve, reject) => {
    to.on('data', (chunk: Buffer) => {
      received += chunk.length
      if (received >= bytes) resolve()
    })
    to.once('error', reject)
  })
  const chunk = Buffer.alloc(256 * 1024, 0x5a)
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!from.write(chunk)) await once(from, 'drain')
  }
  await done
}

describe('pathSampleFromTcpInfo (no addon needed)', () => {
  it('maps RTT, jitter, delivery rate and retransmissions', () => {
    const info = fakeInfo({
      rttUs: 48_250,
      rttvarUs: 3_500,
      deliveryRateBytesPerSecond: 12_500_000,
      totalRetrans: 25,
      segsOut: 1_000,
    })
    expect(pathSampleFromTcpInfo(info, 1_234)).toEqual({
      at: 1_234,
      rttMs: 48.25,
      jitterMs: 3.5,
      bandwidthBps: 100_000_000,
      lossRate: 0.025,
      rdma: false,
    })
  })

  it('reports no loss before any segment, and caps the rate at 1', () => {
    expect(pathSampleFromTcpInfo(fakeInfo({}), 0)).toMatchObject({ lossRate: 0, rttMs: 0, bandwidthBps: 0 })
    expect(pathSampleFromTcpInfo(fakeInfo({ totalRetrans: 9, segsOut: 3 }), 0).lossRate).toBe(1)
  })

  it('refuses a time that is not finite', () => {
    expect(() => pathSampleFromTcpInfo(fakeInfo({}), Number.NaN)).toThrow(/invalid nowMs/)
  })
})

describe.skipIf(!gate.run)(`tcpInfo on a live loopback TCP connection${gate.note}`, () => {
  it('returns the fields this build knows, each a number (deliveryRateAppLimited a boolean)', async () => {
    const { client } = await loopback.pair()
    const info = tcpInfo(client)
    const keys = Object.keys(info)
    for (const field of ['infoBytes', ...REQUIRED_TCP_INFO_FIELDS]) expect(keys).toContain(field)
    for (const key of keys) {
      expect(['infoBytes', ...REQUIRED_TCP_INFO_FIELDS, ...OPTIONAL_FIELDS]).toContain(key)
      const value = (info as unknown as Record<string, unknown>)[key]
      expect(typeof value, key).toBe(key === 'deliveryRateAppLimited' ? 'boolean' : 'number')
    }
    expect(info.infoBytes).toBeGreaterThanOrEqual(160)
    expect(info.state).toBe(TcpState.ESTABLISHED)
  })

  it('gives plausible values after a few MB went through', async () => {
    const { client, accepted } = await loopback.pair()
    const written = 4 * 1024 * 1024
    await pump(client, accepted, written)
    const info = tcpInfo(client)
    expect(info.state).toBe(TcpState.ESTABLISHED)
    expect(info.caState).toBe(TcpCaState.OPEN)
    expect(info.rttUs).toBeGreaterThan(0)
    expect(info.rttUs).toBeLessThan(1_000_000)
    expect(info.minRttUs).toBeGreaterThan(0)
    expect(info.minRttUs).toBeLessThanOrEqual(info.rttUs + info.rttvarUs)
    expect(info.sndCwnd).toBeGreaterThan(0)
    expect(info.sndMss).toBeGreaterThan(0)
    const inFlightBytes = info.unacked * info.sndMss + info.notsentBytes
    expect(info.bytesAcked).toBeGreaterThanOrEqual(written - inFlightBytes)
    expect(info.bytesAcked).toBeLessThanOrEqual(written + 1)
    if (info.bytesSent !== undefined) expect(info.bytesSent).toBeGreaterThanOrEqual(written)
    expect(info.segsOut).toBeGreaterThan(0)
    expect(info.dataSegsOut).toBeGreaterThan(0)
    expect(info.deliveryRateBytesPerSecond).toBeGreaterThan(0)
    expect(info.pacingRateBytesPerSecond).toBeGreaterThan(0)
    expect(info.rtoUs).toBeGreaterThanOrEqual(info.rttUs)

    const peer = tcpInfo(accepted)
    expect(peer.state).toBe(TcpState.ESTABLISHED)
    expect(peer.bytesReceived).toBeGreaterThanOrEqual(written)
    expect(peer.bytesReceived).toBeLessThanOrEqual(written + 1)
    expect(peer.dataSegsIn).toBeGreaterThan(0)

    const sample = pathSampleFromTcpInfo(info, 42)
    expect(sample.at).toBe(42)
    expect(sample.rttMs).toBeGreaterThan(0)
    expect(sample.rttMs).toBeLessThan(1_000)
    expect(sample.jitterMs).toBeGreaterThanOrEqual(0)
    expect(sample.jitterMs).toBeLessThan(1_000)
    // Loopback moves at least tens of Mbit/s even on a busy 2-core machine.
    expect(sample.bandwidthBps).toBeGreaterThan(10_000_000)
    expect(sample.lossRate).toBeGreaterThanOrEqual(0)
    // Loopback loses nothing, but with ~100 large segments one spurious retransmission already weighs 1 %.
    expect(sample.lossRate).toBeLessThan(0.25)
    expect(sample.rdma).toBe(false)
  })

  it('refuses a destroyed socket with a SocketOptionError', async () => {
    const { client } = await loopback.pair()
    client.destroy()
    let caught: unknown
    try {
      tcpInfo(client)
    } catch (err) {
      caught = err
    }
    expect(isDwcpError(caught, 'DWCP_ERR_SOCKET_OPTION'), String(caught)).toBe(true)
    expect((caught as { data: { option: string } }).data.option).toBe('TCP_INFO')
  })
})
