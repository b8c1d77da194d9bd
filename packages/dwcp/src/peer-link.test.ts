import { manualClock, type Session, silentLogger } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { ChannelPeerLink, type LinkedNode } from './peer-link.js'

/** A node whose dials the test completes or fails by hand, and whose sessions record what was sent. */
function fakeNode() {
  const sent: { peer: string; channel: string; text: string }[] = []
  const sessions = new Map<string, Session>()
  const dials: { address: string; succeed: () => void; fail: () => void }[] = []
  const openSession = (peer: string) => {
    const session = {
      closed: false,
      send: async (channel: string, bytes: Uint8Array) => {
        sent.push({ peer, channel, text: new TextDecoder().decode(bytes) })
      },
    } as unknown as Session
    sessions.set(peer, session)
    return session
  }
  const node: LinkedNode = {
    session: (peer) => sessions.get(peer),
    connect: (address) =>
      new Promise<Session>((resolve, reject) => {
        dials.push({
          address,
          succeed: () => resolve(openSession(address.replace('tcp://', ''))),
          fail: () => reject(new Error('refused')),
        })
      }),
    on: () => () => {},
  }
  return { node, sent, dials, openSession }
}

const bytes = (text: string) => new TextEncoder().encode(text)
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('ChannelPeerLink', () => {
  const addresses = new Map([
    ['a', 'tcp://a'],
    ['b', 'tcp://b'],
  ])

  it('sends at once on an open session', () => {
    const { node, sent, dials, openSession } = fakeNode()
    openSession('b')
    const link = new ChannelPeerLink('raft', 'a', () => node, addresses, manualClock(), silentLogger())
    link.send('b', bytes('m1'))
    expect(sent).toEqual([{ peer: 'b', channel: 'raft', text: 'm1' }])
    expect(dials).toHaveLength(0)
  })

  it('holds messages while dialling and delivers them in order once connected, dialling once', async () => {
    const { node, sent, dials } = fakeNode()
    const link = new ChannelPeerLink('raft', 'a', () => node, addresses, manualClock(), silentLogger())
    link.send('b', bytes('m1'))
    link.send('b', bytes('m2'))
    expect(dials.map((d) => d.address)).toEqual(['tcp://b'])
    expect(sent).toEqual([])
    dials[0]!.succeed()
    await settle()
    expect(sent.map((m) => m.text)).toEqual(['m1', 'm2'])
    link.send('b', bytes('m3'))
    expect(sent.map((m) => m.text)).toEqual(['m1', 'm2', 'm3'])
  })

  it('drops held messages when the dial fails, and does not redial within 250 ms', async () => {
    const clock = manualClock()
    const { node, sent, dials } = fakeNode()
    const link = new ChannelPeerLink('raft', 'a', () => node, addresses, clock, silentLogger())
    link.send('b', bytes('m1'))
    dials[0]!.fail()
    await settle()
    link.send('b', bytes('m2'))
    expect(dials).toHaveLength(1)
    clock.advance(250)
    link.send('b', bytes('m3'))
    expect(dials).toHaveLength(2)
    dials[1]!.succeed()
    await settle()
    expect(sent.map((m) => m.text)).toEqual(['m3'])
  })

  it('holds at most 256 messages per peer, keeping the newest', async () => {
    const { node, sent, dials } = fakeNode()
    const link = new ChannelPeerLink('raft', 'a', () => node, addresses, manualClock(), silentLogger())
    for (let i = 0; i < 300; i++) link.send('b', bytes(`m${i}`))
    dials[0]!.succeed()
    await settle()
    expect(sent).toHaveLength(256)
    expect(sent[0]!.text).toBe('m44')
    expect(sent.at(-1)!.text).toBe('m299')
  })

  it('drops messages for a peer with no known address', () => {
    const { node, sent, dials } = fakeNode()
    const link = new ChannelPeerLink('raft', 'a', () => node, addresses, manualClock(), silentLogger())
    link.send('z', bytes('m1'))
    expect(sent).toEqual([])
    expect(dials).toHaveLength(0)
  })
})
