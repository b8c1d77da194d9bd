import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { describe, it } from 'vitest'
import { complianceIdentity, fromFactory, transportComplianceSuite } from '../compliance/transport-suite.js'
import { FRAME_HEADER_BYTES, FrameType } from '../wire/frame-layout.js'
import { helloBytes } from './tcp-handshake.js'
import { tcpTransport } from './tcp-transport.js'

transportComplianceSuite('tcp (plaintext)', {
  create: fromFactory(tcpTransport({ tls: false, streams: 4 })),
  listenAddress: () => 'tcp://127.0.0.1:0',
  unreachableAddress: () => 'tcp://127.0.0.1:1',
})

describe('tcp transport against a hostile peer', () => {
  it('closes a stream that sends a corrupt frame or an oversized length, and keeps serving', async () => {
    const server = await fromFactory(tcpTransport({ tls: false }))(complianceIdentity('node-b'))
    await server.start()
    const address = await server.listen('tcp://127.0.0.1:0')
    const port = Number(address.split(':').pop())
    const garbage = [
      Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff), // nonsense after the handshake
      (() => {
        const header = new Uint8Array(FRAME_HEADER_BYTES)
        header[0] = FrameType.chunk
        new DataView(header.buffer).setUint32(16, 0xffffffff) // a 4 GiB payload announced
        return header
      })(),
    ]
    for (const bytes of garbage) {
      const socket = connect(port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      const sessionOpened = new Promise((resolve) => server.once('session', resolve))
      socket.write(
        helloBytes({ identity: complianceIdentity('node-a'), sessionId: randomUUID(), streamIndex: 0 }),
      )
      await sessionOpened
      const closed = new Promise((resolve) => socket.once('close', resolve))
      socket.on('error', () => {})
      socket.resume()
      socket.write(bytes)
      await closed // the server dropped the stream (and with stream 0, the session)
    }
    // Still serving: a proper client connects and talks.
    const client = await fromFactory(tcpTransport({ tls: false }))(complianceIdentity('node-c'))
    await client.start()
    const session = await client.dial(address)
    await session.send('control', new Uint8Array([1]))
    await client.stop()
    await server.stop()
  })
})
