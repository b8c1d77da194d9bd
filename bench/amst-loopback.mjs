// Loopback half of `pnpm bench amst`: the TCP transport's goodput beside a raw Node socket pipe at the same
// stream count (no framing, no digest), both in this one process.
import { randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import { tcpTransport } from '@dwcp/amst'
import { silentLogger, systemClock } from '@dwcp/core'

const identity = (nodeId) => ({
  nodeId,
  clusterId: 'bench',
  mode: 'datacenter',
  capabilities: { codecs: ['none'], maxStreams: 64, rdma: false },
})
const components = (nodeId) => ({
  identity: () => identity(nodeId),
  clock: systemClock(),
  logger: silentLogger(),
})

/** Raw pipe: `streams` sockets each carrying an equal share, written in 256 KiB buffers; returns bits/s. */
export async function rawPipeBps(totalBytes, streams) {
  const chunk = randomBytes(256 * 1024)
  let received = 0
  let done
  const finished = new Promise((resolve) => {
    done = resolve
  })
  const server = createServer((socket) =>
    socket.on('data', (bytes) => {
      received += bytes.byteLength
      if (received >= totalBytes) done()
    }),
  )
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = server.address().port
  const sockets = await Promise.all(
    Array.from(
      { length: streams },
      () =>
        new Promise((resolve) => {
          const s = connect(port, '127.0.0.1', () => resolve(s))
        }),
    ),
  )
  const started = performance.now()
  const share = Math.ceil(totalBytes / streams)
  await Promise.all(
    sockets.map(async (socket) => {
      for (let sent = 0; sent < share; sent += chunk.byteLength) {
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve))
      }
    }),
  )
  await finished
  const seconds = (performance.now() - started) / 1000
  for (const s of sockets) s.destroy()
  server.close()
  return (received * 8) / seconds
}

/** AMST over TCP on loopback: one transfer of `totalBytes` over `streams` streams; returns goodput bits/s. */
export async function amstLoopbackBps(totalBytes, streams, congestion) {
  const a = tcpTransport({ tls: false, streams, congestion })(components('sender'))
  const b = tcpTransport({ tls: false, congestion })(components('receiver'))
  await a.start()
  await b.start()
  const address = await b.listen('tcp://127.0.0.1:0')
  const accepted = new Promise((resolve) => b.once('session', resolve))
  const session = await a.dial(address)
  const server = await accepted
  server.on('transfer', (incoming) => void incoming.accept({ positional: true, write: async () => {} }))
  const payload = randomBytes(Math.min(totalBytes, 256 * 1024 * 1024))
  const source = {
    sizeBytes: totalBytes,
    read: async (offset, length) =>
      payload.subarray(
        offset % payload.byteLength,
        (offset % payload.byteLength) + Math.min(length, payload.byteLength - (offset % payload.byteLength)),
      ),
  }
  await new Promise((resolve) => setTimeout(resolve, 200)) // let the extra streams join
  const started = performance.now()
  await session.transfer(source)
  const seconds = (performance.now() - started) / 1000
  await a.stop()
  await b.stop()
  return (totalBytes * 8) / seconds
}
