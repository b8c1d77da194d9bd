import { FrameCorruptError, FrameTooLargeError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeClientRequest,
  decodePbftMessage,
  encodeClientRequest,
  encodePbftMessage,
} from './pbft-codec.js'
import { pbftMessageArb, requestArb } from './test-fixtures/arbitraries.js'

describe('PBFT codec', () => {
  it('every message round-trips to an equal message and the same bytes', () => {
    fc.assert(
      fc.property(pbftMessageArb, (m) => {
        const bytes = encodePbftMessage(m)
        const decoded = decodePbftMessage(bytes)
        expect(decoded).toEqual(m)
        expect(encodePbftMessage(structuredClone(decoded))).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('client requests round-trip', () => {
    fc.assert(
      fc.property(requestArb, (r) => {
        expect(decodeClientRequest(encodeClientRequest(r))).toEqual(r)
      }),
    )
  })

  it('refuses a message above the size bound before decoding it', () => {
    const limits = {
      maxMessageBytes: 16,
      maxBatchRequests: 4,
      maxCertificates: 4,
      maxReplicas: 4,
      maxIdBytes: 8,
      maxSignatureBytes: 16,
      maxClients: 4,
    }
    expect(() => decodePbftMessage(new Uint8Array(17), limits)).toThrow(FrameTooLargeError)
  })

  it('refuses an unknown version, an unknown type and trailing bytes', () => {
    const m = encodePbftMessage({
      type: 'fetch',
      seq: 3,
      view: 1,
      replica: 2,
      signature: new Uint8Array(4),
    })
    expect(() => decodePbftMessage(Uint8Array.of(9, ...m.subarray(1)))).toThrow(FrameCorruptError)
    expect(() => decodePbftMessage(Uint8Array.of(1, 99, ...m.subarray(2)))).toThrow(FrameCorruptError)
    expect(() => decodePbftMessage(Uint8Array.of(...m, 0))).toThrow(FrameCorruptError)
  })
})
