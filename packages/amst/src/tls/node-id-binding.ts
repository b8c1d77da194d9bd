/**
 * Binds the node id a peer claims in its hello to the certificate it presented: without it, any peer the CA
 * signed and the allow-list admits could speak as any other member (a Raft vote, a placement write, a PBFT
 * message "from" someone else).
 */

import type { PeerCertificate, TLSSocket } from 'node:tls'
import { PeerUnauthorizedError } from '@dwcp/core'
import { remotePeerAddress } from './authorize-peer.js'
import { type CertificateSubject, formatSubject } from './distinguished-name.js'

/** Names a certificate vouches for: its subject CN and its DNS subject alternative names. */
export function certificateNames(certificate: Pick<PeerCertificate, 'subject' | 'subjectaltname'>): string[] {
  const names: string[] = []
  const cn = (certificate.subject as CertificateSubject | undefined)?.CN
  for (const value of Array.isArray(cn) ? cn : cn === undefined ? [] : [cn]) names.push(String(value))
  for (const entry of (certificate.subjectaltname ?? '').split(',')) {
    const [kind, value] = entry.trim().split(/:(.*)/s) as [string, string | undefined]
    if (kind === 'DNS' && value) names.push(value)
  }
  return names
}

/**
 * Whether `nodeId` is one of `names`, or the first label of one: a member `node-1` holds a certificate for
 * `node-1` or for `node-1.datacenter.local` (the runbook's `CN=node-*.datacenter.local`).
 */
export function nodeIdMatchesNames(nodeId: string, names: readonly string[]): boolean {
  return names.some((name) => name === nodeId || name.split('.')[0] === nodeId)
}

/**
 * Checks that the peer of an authorized TLS socket holds a certificate for the node id it claimed.
 *
 * @throws {@link PeerUnauthorizedError} (peer = remote address) when it presented no certificate or the
 *   certificate names another node
 */
export function requireNodeIdBound(socket: TLSSocket, nodeId: string): void {
  const certificate = socket.getPeerCertificate()
  const peer = remotePeerAddress(socket)
  if (!certificate || certificate.raw === undefined)
    throw new PeerUnauthorizedError(peer, `claims node id ${nodeId} without a certificate`)
  const names = certificateNames(certificate)
  if (!nodeIdMatchesNames(nodeId, names)) {
    const subject = formatSubject((certificate.subject ?? {}) as CertificateSubject)
    throw new PeerUnauthorizedError(
      peer,
      `claims node id ${nodeId.slice(0, 64)}, but its certificate (${subject.slice(0, 256)}) is for ${names.join(', ').slice(0, 256) || 'no name'}`,
    )
  }
}
