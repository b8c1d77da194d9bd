import type { Socket } from 'node:net'
import { HandshakeRejectedError, type NodeIdentity, TimeoutError } from '@dwcp/core'
import { PROTOCOL_VERSION } from '../handshake.js'
import {
  encodeHandshake,
  HandshakeKind,
  type HandshakeMessage,
  HandshakeReader,
} from '../wire/handshake-codec.js'

/** The hello a dialler sends on every stream. */
export interface Hello {
  identity: NodeIdentity
  sessionId: string
  /** 0 for the control stream (a new session); ≥ 1 to join an existing session. */
  streamIndex: number
  /** The token the listener gave in its welcome, required to join. */
  token?: string
}

const HELLO_KEYS = new Set([
  'nodeId',
  'clusterId',
  'mode',
  'capabilities',
  'sessionId',
  'streamIndex',
  'token',
])
const WELCOME_KEYS = new Set(['nodeId', 'clusterId', 'mode', 'capabilities', 'token'])

/** Reads the first handshake message from a socket; resolves with it and the bytes that followed. */
export function readHandshake(
  socket: Socket,
  timeoutMs: number,
): Promise<{ message: HandshakeMessage; rest: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const reader = new HandshakeReader()
    const cleanup = (): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
    }
    const fail = (error: Error): void => {
      cleanup()
      reject(error)
    }
    const onData = (bytes: Buffer): void => {
      try {
        const done = reader.push(bytes)
        if (!done) return
        cleanup()
        socket.pause()
        resolve(done)
      } catch (error) {
        fail(error as Error)
      }
    }
    const onError = (error: Error): void =>
      fail(new HandshakeRejectedError(`connection failed: ${error.message}`))
    const onClose = (): void => fail(new HandshakeRejectedError('connection closed during the handshake'))
    const timer = setTimeout(() => fail(new TimeoutError('handshake', timeoutMs)), timeoutMs)
    socket.on('data', onData)
    socket.on('error', onError)
    socket.on('close', onClose)
  })
}

/** Encodes a hello. */
export function helloBytes(hello: Hello): Uint8Array {
  return encodeHandshake({
    version: PROTOCOL_VERSION,
    kind: HandshakeKind.hello,
    body: {
      ...hello.identity,
      sessionId: hello.sessionId,
      streamIndex: hello.streamIndex,
      ...(hello.token ? { token: hello.token } : {}),
    },
  })
}

/** Encodes a welcome (with the session's join token). */
export function welcomeBytes(identity: NodeIdentity, token: string): Uint8Array {
  return encodeHandshake({
    version: PROTOCOL_VERSION,
    kind: HandshakeKind.welcome,
    body: { ...identity, token },
  })
}

/** Encodes a reject. */
export function rejectBytes(reason: string): Uint8Array {
  return encodeHandshake({
    version: PROTOCOL_VERSION,
    kind: HandshakeKind.reject,
    body: { reason: reason.slice(0, 512) },
  })
}

/** Checks a hello's shape (identity fields are checked by checkPeerIdentity); unknown keys fail closed. */
export function parseHello(message: HandshakeMessage): {
  identity: unknown
  sessionId: string
  streamIndex: number
  token?: string
} {
  if (message.kind !== HandshakeKind.hello) throw new HandshakeRejectedError('expected a hello')
  const body = message.body
  for (const key of Object.keys(body))
    if (!HELLO_KEYS.has(key)) throw new HandshakeRejectedError(`unknown hello field ${key}`)
  const { sessionId, streamIndex, token } = body
  if (typeof sessionId !== 'string' || !/^[A-Za-z0-9-]{8,64}$/.test(sessionId))
    throw new HandshakeRejectedError('bad session id')
  if (!Number.isInteger(streamIndex) || (streamIndex as number) < 0 || (streamIndex as number) > 511)
    throw new HandshakeRejectedError('bad stream index')
  if (token !== undefined && (typeof token !== 'string' || token.length > 128))
    throw new HandshakeRejectedError('bad token')
  return {
    identity: body,
    sessionId,
    streamIndex: streamIndex as number,
    ...(typeof token === 'string' ? { token } : {}),
  }
}

/** Checks a welcome or reject; returns the listener's identity and token. */
export function parseWelcome(message: HandshakeMessage): { identity: unknown; token: string } {
  if (message.kind === HandshakeKind.reject)
    throw new HandshakeRejectedError(`refused by the peer: ${String(message.body.reason)}`)
  if (message.kind !== HandshakeKind.welcome) throw new HandshakeRejectedError('expected a welcome')
  for (const key of Object.keys(message.body))
    if (!WELCOME_KEYS.has(key)) throw new HandshakeRejectedError(`unknown welcome field ${key}`)
  const { token } = message.body
  if (typeof token !== 'string' || token.length === 0 || token.length > 128)
    throw new HandshakeRejectedError('bad token')
  const { token: _token, ...identity } = message.body
  return { identity, token }
}

/** Identity fields only (what checkPeerIdentity looks at). */
export function identityOf(body: unknown): unknown {
  const { sessionId: _s, streamIndex: _i, token: _t, ...identity } = body as Record<string, unknown>
  return identity
}
