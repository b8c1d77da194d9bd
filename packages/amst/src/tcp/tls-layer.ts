import type { Server, Socket } from 'node:net'
import { type TLSSocket, connect as tlsConnect, createServer as tlsCreateServer } from 'node:tls'
import { PeerUnauthorizedError } from '@dwcp/core'
import {
  authorizePeer,
  clientTlsOptions,
  remotePeerAddress,
  requireNodeIdBound,
  resolveTlsConfig,
  serverTlsOptions,
  type TlsConfig,
  tlsHandshakeFailure,
} from '../tls/index.js'

/** What the TCP transport needs from TLS: servers, clients, and the check of each peer. */
export interface TlsLayer {
  /** A TLS server; `onRefused` hears of clients whose TLS handshake failed (bad or missing certificate…). */
  createServer(onSocket: (socket: Socket) => void, onRefused: (error: PeerUnauthorizedError) => void): Server
  connect(host: string, port: number): Socket
  /** Throws PeerUnauthorizedError unless the peer's certificate chain and subject are allowed. */
  authorize(socket: Socket, side: 'client' | 'server'): void
  /** Throws PeerUnauthorizedError unless the peer's certificate names the node id it claimed (when configured). */
  bindNodeId(socket: Socket, nodeId: string, side: 'client' | 'server'): void
  /** The typed error for a failed TLS connection. */
  handshakeError(error: Error, address: string): Error
}

/** Builds the TLS layer from config; malformed config throws ConfigInvalidError now, not at the first dial. */
export function createTlsLayer(config: TlsConfig): TlsLayer {
  const resolved = resolveTlsConfig(config)
  const server = serverTlsOptions(resolved)
  const client = clientTlsOptions(resolved)
  return {
    createServer: (onSocket, onRefused) => {
      const tlsServer = tlsCreateServer(server, onSocket)
      tlsServer.on('tlsClientError', (error, socket) => {
        onRefused(
          tlsHandshakeFailure(error, remotePeerAddress(socket), socket) ??
            new PeerUnauthorizedError(remotePeerAddress(socket), `TLS handshake failed: ${error.message}`),
        )
      })
      return tlsServer
    },
    connect: (host, port) => tlsConnect({ ...client, host, port }),
    authorize: (socket, side) => {
      // A server that does not ask for client certificates has nothing to check; a client always checks.
      if (side === 'server' && !resolved.clientCertRequired) return
      authorizePeer(socket as TLSSocket, resolved.allowList)
    },
    bindNodeId: (socket, nodeId, side) => {
      if (!resolved.bindNodeId || (side === 'server' && !resolved.clientCertRequired)) return
      requireNodeIdBound(socket as TLSSocket, nodeId)
    },
    handshakeError: (error, address) =>
      tlsHandshakeFailure(error, address) ??
      new PeerUnauthorizedError(address, `TLS connection failed: ${error.message}`),
  }
}
