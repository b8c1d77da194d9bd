import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import {
  type ConnectionOptions,
  connect,
  createServer,
  type Server,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls'
import { isDwcpError } from '@dwcp/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type AuthorizedPeer, authorizePeer, remotePeerAddress } from './authorize-peer.js'
import type { SubjectPattern } from './subject-pattern.js'
import { createTestCertificates, type TestCertificates, type TestIdentity } from './test-certificates.js'
import { tlsHandshakeFailure } from './tls-errors.js'
import { clientTlsOptions, resolveTlsConfig, serverTlsOptions, type TlsConfig } from './tls-options.js'

const ALLOWED = ['CN=node-*.datacenter.local']

interface ServerOutcome {
  readonly peer?: AuthorizedPeer
  readonly error?: unknown
}

interface ClientOutcome {
  peer?: AuthorizedPeer
  authorizeError?: unknown
  error?: unknown
  cipher?: string
  data: string
}

let certs: TestCertificates
const servers: Server[] = []
const sockets = new Set<TLSSocket>()

beforeAll(() => {
  certs = createTestCertificates()
})

afterAll(() => {
  certs?.remove()
})

afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

function config(identity: TestIdentity, overrides: Partial<TlsConfig> = {}): TlsConfig {
  return {
    enabled: true,
    certFile: identity.certFile,
    keyFile: identity.keyFile,
    caFile: certs.caFile,
    allowedSubjects: ALLOWED,
    ...overrides,
  }
}

/** Starts a server that authorizes every connection and reports the first outcome. */
async function startServer(
  options: TlsOptions,
  allowList: readonly SubjectPattern[],
): Promise<{ port: number; outcome: Promise<ServerOutcome> }> {
  let settle: (outcome: ServerOutcome) => void = () => {}
  const outcome = new Promise<ServerOutcome>((resolve) => {
    settle = resolve
  })
  const server = createServer(options, (socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    try {
      settle({ peer: authorizePeer(socket, allowList) })
      socket.end('welcome')
    } catch (error) {
      settle({ error })
      socket.destroy()
    }
  })
  server.on('tlsClientError', (error, socket) => {
    settle({ error: tlsHandshakeFailure(error, remotePeerAddress(socket), socket) ?? error })
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { port: (server.address() as AddressInfo).port, outcome }
}

/** Dials `port`, authorizes the server, and reports everything that happened once the socket closes. */
function dial(
  port: number,
  options: ConnectionOptions,
  allowList: readonly SubjectPattern[],
): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const outcome: ClientOutcome = { data: '' }
    const socket = connect({ ...options, host: '127.0.0.1', port })
    sockets.add(socket)
    socket.setEncoding('utf8')
    socket.on('secureConnect', () => {
      outcome.cipher = socket.getCipher().standardName
      try {
        outcome.peer = authorizePeer(socket, allowList)
      } catch (error) {
        outcome.authorizeError = error
        socket.destroy()
      }
    })
    socket.on('data', (chunk: string) => {
      outcome.data += chunk
    })
    socket.on('error', (error) => {
      outcome.error ??= tlsHandshakeFailure(error, `127.0.0.1:${port}`) ?? error
    })
    socket.on('close', () => resolve(outcome))
  })
}

function expectUnauthorized(error: unknown, reason: RegExp): void {
  expect(isDwcpError(error, 'DWCP_ERR_PEER_UNAUTHORIZED'), String(error)).toBe(true)
  const data = (error as unknown as { data: { peer: string; reason: string } }).data
  expect(data.reason).toMatch(reason)
}

/** A client configuration without a certificate: options built, then the certificate taken out. */
function withoutCertificate(options: ConnectionOptions): ConnectionOptions {
  const { cert: _cert, key: _key, ...rest } = options
  return rest
}

describe('mutual TLS 1.3 over loopback', () => {
  it('accepts an allowed subject, and each side authorizes the other', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(config(certs.allowedClient))
    const { port, outcome } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    const server = await outcome
    expect(server.error).toBeUndefined()
    expect(server.peer).toMatchObject({
      subject: 'CN=node-2.datacenter.local,O=DWCP',
      matchedPattern: 'CN=node-*.datacenter.local',
    })
    expect(server.peer?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(client.error).toBeUndefined()
    expect(client.peer?.subject).toBe('CN=node-1.datacenter.local,O=DWCP')
    expect(client.data).toBe('welcome')
  })

  it('uses the configured cipher suite', async () => {
    const serverTls = resolveTlsConfig(
      config(certs.server, { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] }),
    )
    const clientTls = resolveTlsConfig(config(certs.allowedClient))
    const { port } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    expect(client.cipher).toBe('TLS_CHACHA20_POLY1305_SHA256')
    expect(client.data).toBe('welcome')
  })

  it('refuses a CA-signed certificate whose subject is not allowed', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(config(certs.intruderClient))
    const { port, outcome } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    const server = await outcome
    expectUnauthorized(server.error, /subject CN=intruder\.example\.org,O=DWCP is not in the allow-list/)
    expect((server.error as { data: { peer: string } }).data.peer).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(client.data).toBe('')
  })

  it('refuses a client that presents no certificate', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(config(certs.allowedClient))
    const { port, outcome } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, withoutCertificate(clientTlsOptions(clientTls)), clientTls.allowList)
    expectUnauthorized((await outcome).error, /TLS handshake failed \(ERR_SSL_/)
    expectUnauthorized(client.error, /CERTIFICATE_REQUIRED/)
    expect(client.data).toBe('')
  })

  it('refuses a client certificate from a different CA', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(config(certs.foreignClient))
    const { port, outcome } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    expectUnauthorized((await outcome).error, /not authorized by the CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE/)
    // TLS 1.3 finishes the client's handshake first; the server then closes without an alert.
    expect(client.data).toBe('')
  })

  it('refuses a server certificate the client CA did not sign', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(config(certs.allowedClient, { caFile: certs.foreignCaFile }))
    const { port } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    expectUnauthorized(
      client.error,
      /TLS handshake failed \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    )
    expect(client.peer).toBeUndefined()
  })

  it('refuses a server whose subject the client does not allow', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(
      config(certs.allowedClient, { allowedSubjects: ['CN=edge-*.cloud.local'] }),
    )
    const { port } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const client = await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    expectUnauthorized(
      client.authorizeError,
      /subject CN=node-1\.datacenter\.local,O=DWCP is not in the allow-list/,
    )
  })

  it('refuses a client restricted to TLS 1.2', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const clientTls = resolveTlsConfig(config(certs.allowedClient))
    const { port, outcome } = await startServer(serverTlsOptions(serverTls), serverTls.allowList)
    const tls12 = { ...clientTlsOptions(clientTls), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const
    const client = await dial(port, tls12, clientTls.allowList)
    expectUnauthorized((await outcome).error, /TLS handshake failed \(ERR_SSL_/)
    expectUnauthorized(client.error, /PROTOCOL_VERSION/)
    expect(client.peer).toBeUndefined()
  })

  it('refuses a server configured with minVersion TLSv1.2 before it listens', () => {
    expect(() => serverTlsOptions(config(certs.server, { minVersion: 'TLSv1.2' }))).toThrow(
      expect.objectContaining({
        code: 'DWCP_ERR_CONFIG_INVALID',
        data: expect.objectContaining({ keyPath: 'tls.min_version' }),
      }),
    )
  })
})

describe('authorizePeer when the handshake itself lets the peer through', () => {
  it('refuses a peer that presented no certificate', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const lenient = { ...serverTlsOptions(serverTls), rejectUnauthorized: false }
    const { port, outcome } = await startServer(lenient, serverTls.allowList)
    const clientTls = resolveTlsConfig(config(certs.allowedClient))
    await dial(port, withoutCertificate(clientTlsOptions(clientTls)), clientTls.allowList)
    expectUnauthorized((await outcome).error, /^presented no certificate$/)
  })

  it('refuses a certificate the CA did not sign, naming its subject', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const lenient = { ...serverTlsOptions(serverTls), rejectUnauthorized: false }
    const { port, outcome } = await startServer(lenient, serverTls.allowList)
    const clientTls = resolveTlsConfig(config(certs.foreignClient))
    await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    expectUnauthorized(
      (await outcome).error,
      /certificate CN=node-3\.datacenter\.local,O=DWCP not authorized by the CA: .+/,
    )
  })

  it('refuses everyone when the allow-list is empty', async () => {
    const serverTls = resolveTlsConfig(config(certs.server))
    const { port, outcome } = await startServer(serverTlsOptions(serverTls), [])
    const clientTls = resolveTlsConfig(config(certs.allowedClient))
    await dial(port, clientTlsOptions(clientTls), clientTls.allowList)
    expectUnauthorized((await outcome).error, /not in the allow-list/)
  })
})
