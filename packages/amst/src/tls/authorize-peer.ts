/**
 * The check every TLS connection passes after its handshake, on both sides: TLS 1.3 was negotiated, the peer
 * presented a certificate the CA signed, and its subject is on the allow-list.
 */

import type { TLSSocket } from 'node:tls'
import { PeerUnauthorizedError } from '@dwcp/core'
import { type CertificateSubject, formatSubject } from './distinguished-name.js'
import { findMatchingPattern, type SubjectPattern } from './subject-pattern.js'
import { TLS_VERSION } from './tls-options.js'

/** Longest subject quoted in an error reason, in characters; longer ones are cut with `…`. */
export const MAX_QUOTED_SUBJECT_LENGTH = 512

/** A peer that passed {@link authorizePeer}. */
export interface AuthorizedPeer {
  /** Its certificate subject, RFC 4514 formatted (`CN=node-2.datacenter.local,O=DWCP`). */
  readonly subject: string
  /** The allow-list entry it matched, as configured. */
  readonly matchedPattern: string
  /** SHA-256 fingerprint of its certificate, colon-separated hex, as `node:tls` reports it. */
  readonly fingerprint256: string
}

/** `address:port` of the remote end (`[::1]:5000` for IPv6), or `unknown` once the socket is gone. */
export function remotePeerAddress(socket: TLSSocket): string {
  const address = socket.remoteAddress
  if (address === undefined) return 'unknown'
  const host = address.includes(':') ? `[${address}]` : address
  return socket.remotePort === undefined ? host : `${host}:${socket.remotePort}`
}

function quote(subject: string): string {
  if (subject.length === 0) return '(empty subject)'
  return subject.length > MAX_QUOTED_SUBJECT_LENGTH
    ? `${subject.slice(0, MAX_QUOTED_SUBJECT_LENGTH)}…`
    : subject
}

/**
 * Authorizes the peer of a TLS socket after `secureConnect` (dialling side) or `secureConnection` (accepting
 * side). An empty allow-list refuses everyone.
 *
 * @param socket - a socket whose handshake completed
 * @param allowList - accepted subjects, from `parseAllowedSubjects` or `resolveTlsConfig(...).allowList`
 * @returns the peer's subject, the entry it matched and its certificate fingerprint
 * @throws {@link PeerUnauthorizedError} (peer = remote address) when the protocol is not TLS 1.3, the peer
 *   presented no certificate, the CA did not sign it (`authorizationError`), or its subject matches no entry
 */
export function authorizePeer(socket: TLSSocket, allowList: readonly SubjectPattern[]): AuthorizedPeer {
  const peer = remotePeerAddress(socket)
  const protocol = socket.getProtocol()
  if (protocol !== TLS_VERSION)
    throw new PeerUnauthorizedError(peer, `negotiated ${protocol ?? 'no TLS protocol'}, not ${TLS_VERSION}`)
  const certificate = socket.getPeerCertificate()
  if (certificate === null || certificate === undefined || certificate.raw === undefined)
    throw new PeerUnauthorizedError(peer, 'presented no certificate')
  const subjectObject = (certificate.subject ?? {}) as CertificateSubject
  const subject = formatSubject(subjectObject)
  if (!socket.authorized) {
    const why = socket.authorizationError ? String(socket.authorizationError) : 'verification did not run'
    throw new PeerUnauthorizedError(peer, `certificate ${quote(subject)} not authorized by the CA: ${why}`)
  }
  const matched = findMatchingPattern(allowList, subjectObject)
  if (matched === undefined)
    throw new PeerUnauthorizedError(peer, `subject ${quote(subject)} is not in the allow-list`)
  return { subject, matchedPattern: matched.source, fingerprint256: certificate.fingerprint256 }
}
