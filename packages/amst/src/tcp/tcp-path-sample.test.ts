import type { Socket } from 'node:net'
import type { Session, Transport } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { patternSource } from '../compliance/pattern-source.js'
import { complianceComponents, complianceIdentity } from '../compliance/transport-suite.js'
import { type NativeSocketFunctions, socketsStats } from './native-socket.js'
import { tcpTransport } from './tcp-transport.js'

const transports: Transport[] = []

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
})

describe('tcp path samples', () => {
  it('measure bandwidth on both ends after a second of a transfer over loopback', async () => {
    // Paced, so the transfer lasts long enough to be measured whatever the machine.
    const limits = { pacingRateBps: 400e6 }
    const [a, b] = ['sender', 'receiver'].map((name) =>
      tcpTransport({ tls: false, streams: 4, limits })(complianceComponents(complianceIdentity(name))),
    ) as [Transport, Transport]
    transports.push(a, b)
    await a.start()
    await b.start()
    const accepted = new Promise<Session>((resolve) => b.once('session', resolve))
    const client = await a.dial(await b.listen('tcp://127.0.0.1:0'))
    const server = await accepted
    server.on('transfer', (incoming) => {
      incoming.accept({ positional: true, write: async () => {} }).catch(() => {})
    })
    const controller = new AbortController()
    const sent = client.transfer(patternSource(1024 * 1024 * 1024), { signal: controller.signal })
    sent.catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const sending = client.sample()
    const receiving = server.sample()
    controller.abort()
    expect(sending.bandwidthBps).toBeGreaterThan(0)
    expect(receiving.bandwidthBps).toBeGreaterThan(0)
    expect(sending.rttMs).toBeGreaterThan(0)
    console.info(
      `tcp loopback at 400 Mbit/s pacing, after 1.2 s: sender ${(sending.bandwidthBps / 1e6).toFixed(1)} Mbit/s` +
        ` (app-limited ${sending.appLimited}, rtt ${sending.rttMs.toFixed(3)} ms), receiver` +
        ` ${(receiving.bandwidthBps / 1e6).toFixed(1)} Mbit/s`,
    )
  })

  it('take loss from every socket and the RTT from the freshest-timed bulk socket', () => {
    const infos = [
      // Control: pings and their delayed acknowledgements; its RTT is not the path's.
      { totalRetrans: 0, segsOut: 100, rttUs: 40_000, rttvarUs: 20_000, lastDataSentMs: 10 },
      { totalRetrans: 1, segsOut: 100, rttUs: 2000, rttvarUs: 500, lastDataSentMs: 5 },
      { totalRetrans: 0, segsOut: 100, rttUs: 0, rttvarUs: 0, lastDataSentMs: 5 }, // not timed yet: no RTT
      { totalRetrans: 3, segsOut: 200, rttUs: 4000, rttvarUs: 1500, lastDataSentMs: 20 },
      // Idle for seconds: its RTT is as old as its last data.
      { totalRetrans: 0, segsOut: 100, rttUs: 500, rttvarUs: 100, lastDataSentMs: 5000 },
    ]
    const sockets = infos.map((_, i) => ({ index: i }) as unknown as Socket)
    const native: NativeSocketFunctions = {
      setCongestionControl: () => {},
      tcpInfo: (socket) => infos[(socket as unknown as { index: number }).index] as (typeof infos)[0],
    }
    expect(socketsStats(native, sockets)).toEqual({ lossRate: 4 / 600, rttMs: 2, rttVarMs: 0.5 })
    // Nothing bulk sent lately: no RTT from TCP_INFO (the session times its pings instead).
    expect(socketsStats(native, [sockets[0], sockets[4]] as Socket[])).toEqual({ lossRate: 0 })
    expect(socketsStats('no addon', sockets)).toEqual({ lossRate: 0 })
    const closing: NativeSocketFunctions = {
      ...native,
      tcpInfo: () => {
        throw new Error('EBADF')
      },
    }
    expect(socketsStats(closing, sockets)).toEqual({ lossRate: 0 })
  })
})
