/**
 * Handshake failures reported by `node:tls` (a client `error`, a server `tlsClientError`) mapped to
 * {@link PeerUnauthorizedError} when they mean the peer failed authentication or would not speak TLS 1.3.
 */

import type { TLSSocket } from 'node:tls'
import { PeerUnauthorizedError } from '@dwcp/core'

/** OpenSSL certificate verification codes (as `error.code`) that mean the peer's certificate was refused. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/** Longest error message quoted in a reason, in characters. */
const MAX_MESSAGE_LENGTH = 300

/**
 * The typed error for a TLS handshake failure, or `undefined` when `error` is not one (a reset, a timeout, a
 * refused connection: the transport maps those itself). OpenSSL errors (`ERR_SSL_*`, alerts such as
 * `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED` or `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION`) and certificate
 * verification codes (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`…) become {@link PeerUnauthorizedError}.
 *
 * Pass the socket from a server's `tlsClientError`: when the CA refuses a client certificate, `node:tls`
 * closes the socket and reports only `ECONNRESET`, leaving the real cause in `socket.authorizationError`.
 *
 * @param error - what `node:tls` emitted
 * @param peer - the remote address, for the error
 * @param socket - the socket the failure happened on, if at hand
 */
export function tlsHandshakeFailure(
  error: unknown,
  peer: string,
  socket?: Pick<TLSSocket, 'authorizationError'>,
): PeerUnauthorizedError | undefined {
  const authorizationError = socket?.authorizationError
  if (authorizationError)
    return new PeerUnauthorizedError(
      peer,
      `certificate not authorized by the CA: ${String(authorizationError)}`,
    )
  if (typeof error !== 'object' || error === null) return undefined
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code !== 'string') return undefined
  if (!code.startsWith('ERR_SSL_') && !CERTIFICATE_CODES.has(code)) return undefined
  const text = typeof message === 'string' ? message.replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_LENGTH) : ''
  return new PeerUnauthorizedError(peer, `TLS handshake failed (${code})${text ? `: ${text}` : ''}`)
}
