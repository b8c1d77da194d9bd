/**
 * Mutually authenticated TLS 1.3 for the TCP transport: configuration to `node:tls` options, the allow-list
 * of certificate subjects, and the check each connection passes after its handshake.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:tls'
 * import { authorizePeer, requirePlaintextExplicit, resolveTlsConfig, serverTlsOptions } from '@dwcp/amst'
 *
 * const config = {
 *   enabled: true,
 *   certFile: '/etc/dwcp/certs/server.crt',
 *   keyFile: '/etc/dwcp/certs/server.key',
 *   caFile: '/etc/dwcp/certs/ca.crt',
 *   allowedSubjects: ['CN=node-*.datacenter.local'],
 * }
 * if (requirePlaintextExplicit(config)) {
 *   const tls = resolveTlsConfig(config)
 *   createServer(serverTlsOptions(tls), (socket) => {
 *     const peer = authorizePeer(socket, tls.allowList)
 *     socket.end(`hello ${peer.subject}`)
 *   })
 * }
 * ```
 */

export {
  type AuthorizedPeer,
  authorizePeer,
  MAX_QUOTED_SUBJECT_LENGTH,
  remotePeerAddress,
} from './authorize-peer.js'
export { type CertificateSubject, escapeAttributeValue, formatSubject } from './distinguished-name.js'
export { certificateNames, nodeIdMatchesNames, requireNodeIdBound } from './node-id-binding.js'
export { MAX_PEM_FILE_BYTES } from './pem-material.js'
export {
  ALLOWED_SUBJECTS_KEY_PATH,
  type AttributePattern,
  findMatchingPattern,
  MAX_ALLOWED_SUBJECTS,
  MAX_SUBJECT_PATTERN_LENGTH,
  MAX_SUBJECT_VALUE_LENGTH,
  matchesSubject,
  type PatternToken,
  parseAllowedSubjects,
  parseSubjectPattern,
  type SubjectPattern,
  type WildcardScope,
} from './subject-pattern.js'
export { tlsHandshakeFailure } from './tls-errors.js'
export {
  type ClientTlsInit,
  clientTlsOptions,
  type ResolvedTlsConfig,
  requirePlaintextExplicit,
  resolveTlsConfig,
  serverTlsOptions,
  TLS_VERSION,
  TLS13_CIPHER_SUITES,
  type TlsConfig,
} from './tls-options.js'
