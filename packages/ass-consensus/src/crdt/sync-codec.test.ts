import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { decodeSyncMessage, encodeSyncMessage, type SyncMessage } from './sync-codec.js'
import { DEFAULT_SYNC_WIRE_LIMITS } from './wire-limits.js'

function errorOf(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected the action to throw')
}

const samples: SyncMessage[] = [
  {
    type: 'updates',
    updates: [
      { update: Uint8Array.of(1, 2, 3), originTimeMs: 1_700_000_000_123 },
      { update: Uint8Array.of(9) },
    ],
  },
  { type: 'stateVectorRequest', stateVector: Uint8Array.of(1, 5, 3), reciprocate: true },
  { type: 'stateVectorRequest', stateVector: new Uint8Array(0), reciprocate: false },
  { type: 'diff', update: Uint8Array.of(0, 0) },
]

describe('sync wire codec', () => {
  it('round-trips every message type', () => {
    for (const message of samples) {
      const bytes = encodeSyncMessage(message)
      expect(bytes[0]).toBe(1)
      expect(decodeSyncMessage(bytes, DEFAULT_SYNC_WIRE_LIMITS)).toEqual(message)
    }
  })

  it('refuses a message above the bound before parsing it', () => {
    const bytes = encodeSyncMessage({ type: 'diff', update: new Uint8Array(2000) })
    const error = errorOf(() => decodeSyncMessage(bytes, { maxMessageBytes: 1024, maxUpdatesPerBatch: 16 }))
    expect(isDwcpError(error, 'DWCP_ERR_FRAME_TOO_LARGE')).toBe(true)
  })

  it('refuses unknown versions and types, empty batches, too many updates and trailing bytes', () => {
    const twoUpdates = encodeSyncMessage({
      type: 'updates',
      updates: [{ update: Uint8Array.of(1) }, { update: Uint8Array.of(2) }],
    })
    const cases = [
      Uint8Array.of(2, 1, 1, 0, 1, 1),
      Uint8Array.of(1, 9),
      Uint8Array.of(1, 1, 0),
      Uint8Array.of(1, 3, 0),
      Uint8Array.of(...encodeSyncMessage(samples[3]!), 0),
      new Uint8Array(0),
    ]
    for (const bytes of cases) {
      expect(
        isDwcpError(
          errorOf(() => decodeSyncMessage(bytes, DEFAULT_SYNC_WIRE_LIMITS)),
          'DWCP_ERR_FRAME_CORRUPT',
        ),
      ).toBe(true)
    }
    const error = errorOf(() =>
      decodeSyncMessage(twoUpdates, { maxMessageBytes: 1024, maxUpdatesPerBatch: 1 }),
    )
    expect(isDwcpError(error, 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
  })
})
