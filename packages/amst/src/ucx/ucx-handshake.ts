import { randomBytes } from 'node:crypto'
import { type Clock, HandshakeRejectedError, isDwcpError, type NodeIdentity } from '@dwcp/core'
import { checkPeerIdentity } from '../handshake.js'
import {
  helloBytes,
  identityOf,
  parseHello,
  parseWelcome,
  rejectBytes,
  welcomeBytes,
} from '../tcp/tcp-handshake.js'
import {
  HANDSHAKE_HEADER_BYTES,
  type HandshakeMessage,
  HandshakeReader,
  MAX_HANDSHAKE_BODY_BYTES,
} from '../wire/handshake-codec.js'
import { withDeadline } from './ucx-deadline.js'
import type { UcxEndpointHandle } from './ucx-native.js'
import { FULL_TAG_MASK, HANDSHAKE_TAG } from './ucx-tags.js'

/** Largest handshake message: header, a body of at most 4096 bytes, CRC32C. The receive buffer has this size. */
export const MAX_HANDSHAKE_MESSAGE_BYTES = HANDSHAKE_HEADER_BYTES + MAX_HANDSHAKE_BODY_BYTES + 4

/** Time and bound of one handshake step. */
export interface HandshakeTiming {
  clock: Clock
  /** Longest the peer may take to answer. */
  timeoutMs: number
}

/**
 * The dialler's half on the handshake lane: posts the receive of the answer, sends the hello, and checks the
 * welcome (a reject becomes `DWCP_ERR_HANDSHAKE_REJECTED`). Returns the listener's identity, checked.
 */
export async function dialHandshake(
  endpoint: UcxEndpointHandle,
  hello: { identity: NodeIdentity; sessionId: string },
  timing: HandshakeTiming,
): Promise<NodeIdentity> {
  const answer = receiveHandshake(endpoint, timing)
  answer.catch(() => {})
  await failClosed(endpoint.send(helloBytes({ ...hello, streamIndex: 0 }), HANDSHAKE_TAG))
  const message = await answer
  const { identity } = parseWelcome(message)
  return checkPeerIdentity(hello.identity, identity, message.version)
}

/**
 * The listener's half, up to the decision: receives and checks the hello. Returns the session id and the
 * dialler's identity; throws a typed error when the hello must be refused.
 */
export async function acceptHello(
  endpoint: UcxEndpointHandle,
  local: NodeIdentity,
  timing: HandshakeTiming,
): Promise<{ sessionId: string; remote: NodeIdentity }> {
  const message = await receiveHandshake(endpoint, timing)
  const hello = parseHello(message)
  if (hello.streamIndex !== 0 || hello.token !== undefined)
    throw new HandshakeRejectedError('a UCX session has one endpoint: joining streams is not supported')
  const remote = checkPeerIdentity(local, identityOf(hello.identity), message.version)
  return { sessionId: hello.sessionId, remote }
}

/** Sends the welcome that opens the session. */
export function sendWelcome(endpoint: UcxEndpointHandle, local: NodeIdentity): Promise<void> {
  return failClosed(endpoint.send(welcomeBytes(local, randomBytes(16).toString('hex')), HANDSHAKE_TAG))
}

/** Sends a reject (best effort: the endpoint may already be gone). */
export async function sendReject(endpoint: UcxEndpointHandle, reason: string): Promise<void> {
  await endpoint.send(rejectBytes(reason), HANDSHAKE_TAG).catch(() => {})
}

/** Receives one handshake message into a bounded buffer and parses it, failing closed. */
export async function receiveHandshake(
  endpoint: UcxEndpointHandle,
  timing: HandshakeTiming,
): Promise<HandshakeMessage> {
  const buffer = new Uint8Array(MAX_HANDSHAKE_MESSAGE_BYTES)
  let lengthBytes: number
  try {
    ;({ lengthBytes } = await withDeadline(
      endpoint.recv(buffer, HANDSHAKE_TAG, FULL_TAG_MASK),
      timing.clock,
      timing.timeoutMs,
      'handshake',
    ))
  } catch (error) {
    if (
      isDwcpError(error, 'DWCP_ERR_UCX') &&
      (error.data as { statusName?: string }).statusName === 'UCS_ERR_MESSAGE_TRUNCATED'
    )
      throw new HandshakeRejectedError(`handshake message longer than ${MAX_HANDSHAKE_MESSAGE_BYTES} bytes`)
    throw handshakeFailure(error)
  }
  const parsed = new HandshakeReader().push(buffer.subarray(0, lengthBytes))
  if (!parsed) throw new HandshakeRejectedError('truncated handshake message')
  if (parsed.rest.byteLength > 0) throw new HandshakeRejectedError('bytes after the handshake message')
  return parsed.message
}

async function failClosed(sent: Promise<void>): Promise<void> {
  try {
    await sent
  } catch (error) {
    throw handshakeFailure(error)
  }
}

/** A UCX failure in the middle of the handshake: the peer went away before the session existed. */
function handshakeFailure(error: unknown): unknown {
  return isDwcpError(error, 'DWCP_ERR_UCX')
    ? new HandshakeRejectedError(`connection failed during the handshake: ${(error as Error).message}`)
    : error
}
