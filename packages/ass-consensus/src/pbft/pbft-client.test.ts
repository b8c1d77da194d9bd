import { describe, expect, it } from 'vitest'
import { PbftClient } from './pbft-client.js'
import type { Reply } from './types.js'

const reply = (replica: number, result: number, timestamp = 1, view = 0): Reply => ({
  type: 'reply',
  view,
  replica,
  clientId: 'c1',
  timestamp,
  result: Uint8Array.of(result),
  signature: new Uint8Array(),
})

describe('PbftClient', () => {
  it('sends to the primary, completes on f + 1 matching replies from distinct replicas', () => {
    const client = new PbftClient({ clientId: 'c1' })
    const request = client.submit(Uint8Array.of(1))
    expect(client.ready().sends).toEqual([{ to: 0, request }])
    client.advance()
    client.handleReply(reply(3, 9))
    client.handleReply(reply(3, 9)) // the same replica twice counts once
    client.handleReply(reply(2, 8)) // a different result does not match
    expect(client.ready().completed).toEqual([])
    client.handleReply(reply(1, 9))
    expect(client.ready().completed).toEqual([{ request, result: Uint8Array.of(9) }])
    expect(client.inFlight).toBeUndefined()
  })

  it('broadcasts the request again after retransmitTicks and follows the view of the replies', () => {
    const client = new PbftClient({ clientId: 'c1', retransmitTicks: 3 })
    client.submit(Uint8Array.of(1))
    client.advance()
    for (let t = 0; t < 3; t++) client.tick()
    expect(client.ready().sends.map((s) => s.to)).toEqual(['all'])
    client.advance()
    client.handleReply(reply(1, 7, 1, 5))
    client.handleReply(reply(2, 7, 1, 5))
    client.advance()
    client.submit(Uint8Array.of(2))
    // View 5: the primary is replica 1.
    expect(client.ready().sends[0]!.to).toBe(1)
  })

  it('ignores replies failing verification and replies to other requests', () => {
    const client = new PbftClient({ clientId: 'c1', verify: (r) => r.replica !== 3 })
    client.submit(Uint8Array.of(1))
    client.handleReply(reply(3, 1))
    client.handleReply(reply(2, 1, 7))
    client.handleReply(reply(1, 1))
    expect(client.ready().completed).toEqual([])
  })
})
