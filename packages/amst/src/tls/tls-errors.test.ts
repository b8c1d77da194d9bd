import { describe, expect, it } from 'vitest'
import { tlsHandshakeFailure } from './tls-errors.js'

function failure(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code })
}

describe('tlsHandshakeFailure', () => {
  it.each([
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    'ERR_SSL_UNSUPPORTED_PROTOCOL',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('maps %s to PeerUnauthorizedError', (code) => {
    const error = tlsHandshakeFailure(failure(code), '10.0.0.2:5000')
    expect(error).toMatchObject({
      code: 'DWCP_ERR_PEER_UNAUTHORIZED',
      data: { peer: '10.0.0.2:5000', reason: `TLS handshake failed (${code}): boom` },
    })
  })

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ERR_TLS_HANDSHAKE_TIMEOUT'])(
    'leaves %s to the transport',
    (code) => {
      expect(tlsHandshakeFailure(failure(code), '10.0.0.2:5000')).toBeUndefined()
    },
  )

  it('leaves values that are not errors alone', () => {
    expect(tlsHandshakeFailure('nope', 'p')).toBeUndefined()
    expect(tlsHandshakeFailure(undefined, 'p')).toBeUndefined()
  })

  it('prefers the authorization error a server socket carries over the reset that followed it', () => {
    const error = tlsHandshakeFailure(failure('ECONNRESET', 'socket hang up'), 'p', {
      authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' as unknown as Error,
    })
    expect(error?.data.reason).toBe('certificate not authorized by the CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  })

  it('keeps the quoted message on one bounded line', () => {
    const error = tlsHandshakeFailure(failure('ERR_SSL_X', `line\nbreak ${'x'.repeat(1000)}`), 'p')
    expect(error?.data.reason).not.toContain('\n')
    expect(error?.data.reason.length).toBeLessThan(400)
  })
})
