import { describe, expect, it } from 'vitest'
import {
  ComponentAbsentError,
  DwcpError,
  FrameCorruptError,
  FrameTooLargeError,
  isDwcpError,
  NativeUnavailableError,
  PeerUnauthorizedError,
} from './errors.js'

describe('errors', () => {
  it('carry a stable code, typed data and their class name', () => {
    const error = new FrameTooLargeError(1 << 30, 1 << 20)
    expect(error.code).toBe('DWCP_ERR_FRAME_TOO_LARGE')
    expect(error.data).toEqual({ lengthBytes: 1 << 30, maxBytes: 1 << 20 })
    expect(error.name).toBe('FrameTooLargeError')
    expect(error).toBeInstanceOf(DwcpError)
    expect(error).toBeInstanceOf(Error)
    expect(new PeerUnauthorizedError('n1', 'subject not allowed').code).toBe('DWCP_ERR_PEER_UNAUTHORIZED')
    expect(new NativeUnavailableError('no binary').code).toBe('DWCP_ERR_NATIVE_UNAVAILABLE')
  })

  it('are recognised by brand, also from another copy of the package', () => {
    expect(isDwcpError(new FrameCorruptError('crc'))).toBe(true)
    expect(isDwcpError(new FrameCorruptError('crc'), 'DWCP_ERR_FRAME_CORRUPT')).toBe(true)
    expect(isDwcpError(new FrameCorruptError('crc'), 'DWCP_ERR_TIMEOUT')).toBe(false)
    // What a second installed copy would produce: a different class carrying the same Symbol.for brand.
    const foreign = Object.assign(new Error('x'), { code: 'DWCP_ERR_COMPONENT_ABSENT' })
    Object.defineProperty(foreign, Symbol.for('dwcp.error'), { value: true })
    expect(isDwcpError(foreign, 'DWCP_ERR_COMPONENT_ABSENT')).toBe(true)
    expect(isDwcpError(new Error('plain'))).toBe(false)
    expect(isDwcpError({ code: 'DWCP_ERR_TIMEOUT' })).toBe(false)
    expect(isDwcpError(null)).toBe(false)
  })

  it('keep the cause', () => {
    const cause = new Error('dlopen failed')
    expect(new NativeUnavailableError('missing libucx', cause).cause).toBe(cause)
    expect(new ComponentAbsentError('consensus', 'not configured').message).toBe(
      'consensus is absent: not configured',
    )
  })
})
