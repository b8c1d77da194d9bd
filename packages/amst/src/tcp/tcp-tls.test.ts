import { randomBytes } from 'node:crypto'
import {
  bytesSink,
  bytesSource,
  isDwcpError,
  METRIC_NAMES,
  type Session,
  silentLogger,
  systemClock,
  type Transport,
} from '@dwcp/core'
import { type MemoryMetrics, memoryMetrics } from '@dwcp/core/testing'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { complianceIdentity, fromFactory, transportComplianceSuite } from '../compliance/transport-suite.js'
import { createTestCertificates } from '../tls/test-certificates.js'
import type { TlsConfig } from '../tls/tls-options.js'
import { tcpTransport } from './tcp-transport.js'

const certs = createTestCertificates()
afterAll(() => certs.remove())

const allowList = ['CN=node-*.datacenter.local']
const tlsFor = (identity: { certFile: string; keyFile: string }, caFile = certs.caFile): TlsConfig => ({
  enabled: true,
  certFile: identity.certFile,
  keyFile: identity.keyFile,
  caFile,
  allowedSubjects: allowList,
})

// Both ends present certificates of the allowed pattern, signed by the same CA.
transportComplianceSuite('tcp with mutual TLS 1.3', {
  create: (identity, components) =>
    fromFactory(
      tcpTransport({
        tls: tlsFor(identity.nodeId === 'node-a' ? certs.nodeA : certs.nodeB),
        streams: 4,
      }),
    )(identity, components),
  listenAddress: () => 'tcp://127.0.0.1:0',
  unreachableAddress: () => 'tcp://127.0.0.1:1',
})

const transports: Transport[] = []
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()))
})

/** Refused handshakes the transport counted, under the labels production's registry declares. */
const unauthorized = (metrics: MemoryMetrics) =>
  metrics.counterValue(METRIC_NAMES.errors, { component: 'amst', code: 'DWCP_ERR_PEER_UNAUTHORIZED' })

async function serverWithCounter() {
  const metrics = memoryMetrics()
  const server = tcpTransport({ tls: tlsFor(certs.nodeB) })({
    identity: () => complianceIdentity('node-b'),
    clock: systemClock(),
    logger: silentLogger(),
    metrics,
  })
  transports.push(server)
  await server.start()
  return { server, metrics, address: await server.listen('tcp://127.0.0.1:0') }
}

async function dialWith(tls: TlsConfig, address: string): Promise<unknown> {
  const client = tcpTransport({ tls })({
    identity: () => complianceIdentity('node-a'),
    clock: systemClock(),
    logger: silentLogger(),
  })
  transports.push(client)
  await client.start()
  try {
    await client.dial(address)
  } catch (error) {
    return error
  }
  return undefined
}

describe('tcp transport with mutual TLS', () => {
  it('carries a transfer between allowed peers', async () => {
    const { server, address } = await serverWithCounter()
    const accepted = new Promise<Session>((resolve) => server.once('session', resolve))
    const client = tcpTransport({ tls: tlsFor(certs.nodeA) })({
      identity: () => complianceIdentity('node-a'),
      clock: systemClock(),
      logger: silentLogger(),
    })
    transports.push(client)
    await client.start()
    const session = await client.dial(address)
    const peer = await accepted
    const payload = randomBytes(8 * 1024 * 1024)
    const sink = bytesSink(payload.byteLength)
    peer.on('transfer', (incoming) => void incoming.accept(sink))
    await session.transfer(bytesSource(payload))
    expect(Buffer.from(sink.bytes).equals(payload)).toBe(true)
    expect(client.health().implementation).toBe('tcp+tls1.3')
  })

  it.each([
    ['a subject outside the allow-list', () => tlsFor(certs.intruderClient)],
    ['a certificate from another CA', () => tlsFor(certs.foreignClient)],
  ])('refuses %s with a typed error and counts it', async (_name, config) => {
    const { address, metrics } = await serverWithCounter()
    const error = await dialWith(config(), address)
    expect(isDwcpError(error), String(error)).toBe(true)
    expect(['DWCP_ERR_PEER_UNAUTHORIZED', 'DWCP_ERR_HANDSHAKE_REJECTED']).toContain(
      (error as { code: string }).code,
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(unauthorized(metrics)).toBeGreaterThanOrEqual(1)
  })

  it('refuses a member that claims another node id than its certificate names, on either side', async () => {
    // An allowed certificate (node-2) claiming node-a: the accepting side refuses it and counts it.
    const { address, metrics } = await serverWithCounter()
    const error = await dialWith(tlsFor(certs.allowedClient), address)
    expect(error).toMatchObject({ code: 'DWCP_ERR_HANDSHAKE_REJECTED' })
    expect(String((error as Error).message)).toMatch(/claims node id node-a/)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(unauthorized(metrics)).toBeGreaterThanOrEqual(1)
    // A server whose certificate (node-1) does not name the id it answers with (node-b): the dialler refuses.
    const impostor = tcpTransport({ tls: tlsFor(certs.server) })({
      identity: () => complianceIdentity('node-b'),
      clock: systemClock(),
      logger: silentLogger(),
    })
    transports.push(impostor)
    await impostor.start()
    const refused = await dialWith(tlsFor(certs.nodeA), await impostor.listen('tcp://127.0.0.1:0'))
    expect(refused).toMatchObject({ code: 'DWCP_ERR_PEER_UNAUTHORIZED' })
    expect(String((refused as Error).message)).toMatch(/claims node id node-b/)
    // Where members share one certificate, both sides turn the binding off, explicitly.
    const sharing = tcpTransport({ tls: { ...tlsFor(certs.server), bindNodeId: false } })({
      identity: () => complianceIdentity('node-b'),
      clock: systemClock(),
      logger: silentLogger(),
    })
    transports.push(sharing)
    await sharing.start()
    const sharedAddress = await sharing.listen('tcp://127.0.0.1:0')
    expect(await dialWith({ ...tlsFor(certs.server), bindNodeId: false }, sharedAddress)).toBeUndefined()
  })

  it('refuses a client without a certificate, and counts it', async () => {
    const { address, metrics } = await serverWithCounter()
    const { connect } = await import('node:tls')
    const { readFileSync } = await import('node:fs')
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: Number(address.split(':').pop()),
        ca: readFileSync(certs.caFile),
        rejectUnauthorized: false,
      })
      socket.once('error', (e) => resolve(e.message))
      socket.once('close', () => resolve('closed'))
      socket.on('data', () => {})
    })
    expect(outcome).not.toBe('')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(unauthorized(metrics)).toBeGreaterThanOrEqual(1)
  })

  it('refuses a client that only speaks TLS 1.2', async () => {
    const { address } = await serverWithCounter()
    const { connect } = await import('node:tls')
    const error = await new Promise<Error>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: Number(address.split(':').pop()),
        maxVersion: 'TLSv1.2',
        rejectUnauthorized: false,
      })
      socket.once('error', resolve)
      socket.once('secureConnect', () => resolve(new Error('connected')))
    })
    expect(error.message).not.toBe('connected')
  })

  it('refuses to run without an explicit TLS choice', () => {
    expect(() => tcpTransport(undefined as never)).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }),
    )
    expect(() => tcpTransport({} as never)).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_CONFIG_INVALID' }),
    )
  })
})
