import type { Server, Socket } from 'node:net'
import { type TLSSocket, connect as tlsConnect, createServer as tlsCreateServer } from 'node:tls'
import { PeerUnauthorizedError } from '@dwcp/core'
import {
  type TlsConfig,
  authorizePeer,
  clientTlsOptions,
  resolveTlsConfig,
  serverTlsOptions,
  tlsHandshakeFailure,
} from '../tls/index.js'

/** What the TCP transport needs from TLS: servers, clients, and the check of each peer. */
export interface TlsLayer {
  createServer(onSocket: (socket: Socket) => void): Server
  connect(host: string, port: number): Socket
  /** Throws PeerUnauthorizedError unless the peer's certificate chain and subject are allowed. */
  authorize(socket: Socket, address: string): void
  /** The typed error for a failed TLS connection. */
  handshakeError(error: Error, address: string): Error
}

/** Builds the TLS layer from config; malformed config throws ConfigInvalidError now, not at the first dial. */
export function createTlsLayer(config: TlsConfig): TlsLayer {
  const resolved = resolveTlsConfig(config)
  const server = serverTlsOptions(resolved)
  const client = clientTlsOptions(resolved)
  return {
    createServer: (onSocket) => tlsCreateServer(server, onSocket),
    connect: (host, port) => tlsConnect({ ...client, host, port }),
    authorize: (socket) => {
      authorizePeer(socket as TLSSocket, resolved.allowList)
    },
    handshakeError: (error, address) =>
      tlsHandshakeFailure(error, address) ?? new PeerUnauthorizedError(address, `TLS connection failed: ${error.message}`),
  }
}
