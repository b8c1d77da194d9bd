import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { authorizePeer, type SubjectPattern } from '@dwcp/amst'
import { HttpError } from './http-io.js'

/** How a mutating request was allowed, for the log line of what it changed. */
export type Principal =
  | { kind: 'client-certificate'; subject: string }
  | { kind: 'bearer-token' }
  | { kind: 'loopback'; address: string }

/** What the server knows for {@link authorize}. */
export interface AuthSettings {
  /** The bearer token from `server.auth_token_file`, if configured. */
  token: string | undefined
  /** `server.bind_address` of the plain HTTP port. */
  bindAddress: string
  /** The HTTPS allow-list (`authentication.allowed_subjects`), when HTTPS runs. */
  allowList: readonly SubjectPattern[] | undefined
}

/** Whether `address` (as a socket reports it, IPv4-mapped IPv6 included) is a loopback address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIP(plain) === 4) return plain.startsWith('127.')
  return plain === '::1'
}

/** Whether the API is bound to loopback only, so that only this host can reach the plain HTTP port. */
export function isLoopbackBind(bindAddress: string): boolean {
  return bindAddress === 'localhost' || isLoopbackAddress(bindAddress)
}

/**
 * Decides whether a request may change something. In order: a client certificate verified on the HTTPS port
 * (CA-signed, subject on the allow-list); a bearer token equal to the configured one; a connection whose actual
 * remote address is loopback on a plain HTTP port bound to loopback only. Anything else is refused, and a
 * presented-but-wrong credential is refused even from loopback, so a typo is not silently ignored.
 *
 * @throws HttpError 401 (no usable credential) or 403 (a credential that is not accepted)
 */
export function authorize(req: IncomingMessage, settings: AuthSettings): Principal {
  const socket = req.socket as TLSSocket
  if (
    socket.encrypted &&
    settings.allowList !== undefined &&
    socket.getPeerCertificate?.()?.raw !== undefined
  ) {
    try {
      return { kind: 'client-certificate', subject: authorizePeer(socket, settings.allowList).subject }
    } catch (error) {
      throw new HttpError(403, 'forbidden', (error as Error).message)
    }
  }
  const header = req.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) throw new HttpError(401, 'unauthorized', 'Authorization must be "Bearer <token>"')
    if (settings.token === undefined)
      throw new HttpError(
        403,
        'forbidden',
        'a bearer token was sent but server.auth_token_file is not configured',
      )
    if (!sameSecret(match[1] as string, settings.token))
      throw new HttpError(403, 'forbidden', 'the bearer token does not match server.auth_token_file')
    return { kind: 'bearer-token' }
  }
  const remote = socket.remoteAddress
  if (!socket.encrypted && isLoopbackBind(settings.bindAddress) && isLoopbackAddress(remote))
    return { kind: 'loopback', address: remote as string }
  throw new HttpError(
    401,
    'unauthorized',
    `this endpoint changes the node: present a client certificate on the HTTPS port or a bearer token ` +
      `(server.auth_token_file); requests without credentials are accepted only from loopback while the API is ` +
      `bound to loopback (remote ${remote ?? 'unknown'}, bound to ${settings.bindAddress})`,
  )
}

/** Compares secrets in constant time (hashing first makes the lengths equal). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(presented), digest(expected))
}
