import { isDwcpError } from '@dwcp/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Message } from '../raft/types.js'
import { decodeRaftMessage, encodeRaftMessage } from './raft-codec.js'
import { messageArb } from './test-fixtures/arbitraries.js'

const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (error) {
    return isDwcpError(error) ? error.code : String(error)
  }
}

const append: Message = {
  type: 'append',
  from: 'a',
  to: 'b',
  term: 3,
  prevIndex: 10,
  prevTerm: 2,
  commit: 9,
  readSeq: 4,
  entries: [
    { term: 3, index: 11, data: undefined },
    { term: 3, index: 12, data: new Uint8Array(0) },
    { term: 3, index: 13, data: new Uint8Array([1, 2, 3]) },
    { term: 3, index: 14, data: undefined, voters: ['a', 'b', 'c'] },
  ],
}

describe('raft message codec', () => {
  it('round-trips every message type', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const bytes = encodeRaftMessage(m)
        const decoded = decodeRaftMessage(bytes)
        // fast-check builds records without a prototype, so compare structurally; the bytes compare below
        // catches an optional field that went missing or appeared.
        expect(decoded).toEqual(m)
        expect(encodeRaftMessage(decoded)).toEqual(bytes)
      }),
      { numRuns: 3000 },
    )
  })

  it('keeps undefined data apart from empty data, and voters on membership entries', () => {
    const decoded = decodeRaftMessage(encodeRaftMessage(append))
    expect(decoded).toStrictEqual(append)
    if (decoded.type !== 'append') throw new Error('wrong type')
    expect(decoded.entries[0]!.data).toBeUndefined()
    expect(decoded.entries[1]!.data).toEqual(new Uint8Array(0))
    expect(decoded.entries[3]!.voters).toEqual(['a', 'b', 'c'])
  })

  it('starts with the version byte and the type byte', () => {
    const bytes = encodeRaftMessage({ type: 'timeoutNow', from: 'a', to: 'b', term: 1 })
    expect([...bytes]).toEqual([1, 7, 1, 97, 1, 98, 1])
  })

  it('refuses what it could not decode back when encoding', () => {
    const vote = { type: 'vote', from: 'a', to: 'b', lastIndex: 0, lastTerm: 0 } as const
    expect(code(() => encodeRaftMessage({ ...vote, term: -1 }))).toBe('DWCP_ERR_INVALID_ARGUMENT')
    expect(code(() => encodeRaftMessage({ ...vote, term: 1.5 }))).toBe('DWCP_ERR_INVALID_ARGUMENT')
    expect(code(() => encodeRaftMessage({ ...vote, term: 2 ** 53 }))).toBe('DWCP_ERR_INVALID_ARGUMENT')
    expect(code(() => encodeRaftMessage({ ...vote, term: 1, from: '' }))).toBe('DWCP_ERR_INVALID_ARGUMENT')
    expect(code(() => encodeRaftMessage({ ...vote, term: 1, to: '\ud800' }))).toBe(
      'DWCP_ERR_INVALID_ARGUMENT',
    )
    const gap = { ...append, entries: [{ term: 3, index: 12, data: undefined }] } as Message
    expect(code(() => encodeRaftMessage(gap))).toBe('DWCP_ERR_INVALID_ARGUMENT')
  })

  it('refuses unknown versions and types, trailing bytes and padded varints', () => {
    const bytes = encodeRaftMessage({ type: 'timeoutNow', from: 'a', to: 'b', term: 1 })
    expect(code(() => decodeRaftMessage(Uint8Array.of(2, ...bytes.subarray(1))))).toBe(
      'DWCP_ERR_FRAME_CORRUPT',
    )
    expect(code(() => decodeRaftMessage(Uint8Array.of(1, 9, ...bytes.subarray(2))))).toBe(
      'DWCP_ERR_FRAME_CORRUPT',
    )
    expect(code(() => decodeRaftMessage(Uint8Array.of(...bytes, 0)))).toBe('DWCP_ERR_FRAME_CORRUPT')
    // Term 1 written as two bytes (0x81 0x00) instead of one.
    expect(code(() => decodeRaftMessage(Uint8Array.of(1, 7, 1, 97, 1, 98, 0x81, 0)))).toBe(
      'DWCP_ERR_FRAME_CORRUPT',
    )
    // A varint above 2^53 - 1 (eight bytes of 0xff…0x7f).
    const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
    expect(code(() => decodeRaftMessage(Uint8Array.of(1, 7, 1, 97, 1, 98, ...huge)))).toBe(
      'DWCP_ERR_FRAME_CORRUPT',
    )
  })

  it('checks sizes and counts against the limits before allocating', () => {
    const bytes = encodeRaftMessage(append)
    expect(code(() => decodeRaftMessage(bytes, { maxMessageBytes: bytes.byteLength - 1 }))).toBe(
      'DWCP_ERR_FRAME_TOO_LARGE',
    )
    expect(code(() => decodeRaftMessage(bytes, { maxEntries: 3 }))).toBe('DWCP_ERR_FRAME_CORRUPT')
    const longId = encodeRaftMessage({ type: 'timeoutNow', from: 'x'.repeat(300), to: 'b', term: 1 })
    expect(code(() => decodeRaftMessage(longId))).toBe('DWCP_ERR_FRAME_CORRUPT')
    expect(decodeRaftMessage(longId, { maxIdBytes: 300 }).from).toHaveLength(300)
    // An append announcing 2^40 entries in a handful of bytes is refused without building an array.
    const header = encodeRaftMessage({ ...append, entries: [], readSeq: undefined } as Message)
    const bomb = Uint8Array.of(...header.subarray(0, -1), 0x80, 0x80, 0x80, 0x80, 0x80, 0x20)
    expect(code(() => decodeRaftMessage(bomb, { maxEntries: Number.MAX_SAFE_INTEGER }))).toBe(
      'DWCP_ERR_FRAME_CORRUPT',
    )
  })

  it('refuses a snapshot that names a voter twice', () => {
    const snap = encodeRaftMessage({
      type: 'snapshot',
      from: 'a',
      to: 'b',
      term: 1,
      snapshot: { index: 5, term: 1, voters: ['a', 'c'], data: new Uint8Array([9]) },
    })
    const twice = snap.slice()
    // The voter ids are the last bytes before the data: [1, 'a', 1, 'c', 1, 9]; make the second one 'a'.
    twice[twice.byteLength - 3] = 97
    expect(code(() => decodeRaftMessage(twice))).toBe('DWCP_ERR_FRAME_CORRUPT')
  })
})
