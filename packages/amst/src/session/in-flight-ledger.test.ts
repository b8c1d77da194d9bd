import { describe, expect, it } from 'vitest'
import { InFlightLedger, type WireChunk } from './in-flight-ledger.js'
import type { FrameStream } from './stream-provider.js'

const stream = (): FrameStream => ({ write: async () => {} })

/** A raw chunk whose wire bytes are `sizeBytes` bytes of its offset's low byte. */
const chunk = (offsetBytes: number, sizeBytes: number): WireChunk => ({
  offsetBytes,
  sizeBytes,
  wire: new Uint8Array(sizeBytes).fill(offsetBytes & 0xff),
  encoded: false,
})

describe('InFlightLedger', () => {
  it('counts bytes per stream and in all, and drops what an in-order acknowledgement covers', () => {
    const [s0, s1] = [stream(), stream()]
    const ledger = new InFlightLedger()
    ledger.sent(chunk(0, 100), s0)
    ledger.sent(chunk(100, 100), s1)
    ledger.sent(chunk(200, 50), s0)
    expect(ledger.inFlightBytes).toBe(250)
    expect(ledger.streamBytes(s0)).toBe(150)
    expect(ledger.head()?.offsetBytes).toBe(0)
    ledger.ackPrefix(200)
    expect(ledger.inFlightBytes).toBe(50)
    expect(ledger.streamBytes(s0)).toBe(50)
    expect(ledger.streamBytes(s1)).toBe(0)
    expect(ledger.head()?.offsetBytes).toBe(200)
  })

  it('reclaims a stream into the resend list, lowest offset first, and forgets resends already acknowledged', () => {
    const [s0, s1] = [stream(), stream()]
    const ledger = new InFlightLedger()
    ledger.sent(chunk(300, 100), s1)
    ledger.sent(chunk(0, 100), s0)
    ledger.sent(chunk(100, 100), s1)
    expect(ledger.reclaim(s1)).toBe(2)
    expect(ledger.reclaim(s1)).toBe(0)
    expect(ledger.streamBytes(s1)).toBe(0)
    expect(ledger.inFlightBytes).toBe(100)
    expect(ledger.resendPending).toBe(true)
    ledger.ackPrefix(200) // the first copy of 100..200 made it after all
    expect(ledger.nextResend()?.offsetBytes).toBe(300)
    expect(ledger.nextResend()).toBeUndefined()
  })

  it('acknowledges single chunks once, from either list', () => {
    const [s0, s1] = [stream(), stream()]
    const ledger = new InFlightLedger()
    ledger.sent(chunk(0, 64), s0)
    ledger.sent(chunk(64, 64), s1)
    ledger.reclaim(s1)
    expect(ledger.ackChunk(64)).toBe(64) // waiting to be resent: no longer needed
    expect(ledger.ackChunk(64)).toBe(0)
    expect(ledger.ackChunk(0)).toBe(64)
    expect(ledger.ackChunk(0)).toBe(0)
    expect(ledger.inFlightBytes).toBe(0)
    expect(ledger.resendPending).toBe(false)
  })

  it('keeps the wire bytes of each chunk until it is acknowledged, and gives them back for a resend', () => {
    const [s0, s1] = [stream(), stream()]
    const ledger = new InFlightLedger()
    const frame = new Uint8Array([9, 8, 7])
    ledger.sent({ offsetBytes: 0, sizeBytes: 64, wire: frame, encoded: true }, s0)
    ledger.sent(chunk(64, 64), s0)
    ledger.sent(chunk(128, 64), s1)
    ledger.reclaim(s0)
    const first = ledger.nextResend()
    expect(first).toMatchObject({ offsetBytes: 0, sizeBytes: 64, encoded: true })
    expect(first?.wire).toBe(frame) // the very bytes sent, not a re-encoding
    const second = ledger.nextResend()
    expect(second).toMatchObject({ offsetBytes: 64, encoded: false })
    expect(second?.wire).toEqual(new Uint8Array(64).fill(64))
  })
})
