// One side of an AMST run inside an emulator namespace.
//   node amst-wan-peer.mjs receive <host> <port> <congestion>
//   node amst-wan-peer.mjs send <host> <port> <congestion> <streams> <bytes>  → prints {"goodputBps": …}
import { tcpTransport } from '@dwcp/amst'
import { silentLogger, systemClock } from '@dwcp/core'

const [role, host, port, congestion, streams, bytes] = process.argv.slice(2)
const identity = (nodeId) => ({
  nodeId,
  clusterId: 'bench',
  mode: 'internet',
  capabilities: { codecs: ['none'], maxStreams: 64, rdma: false },
})
const transport = tcpTransport({ tls: false, congestion, streams: Number(streams ?? 1) })({
  identity: () => identity(role),
  clock: systemClock(),
  logger: silentLogger(),
})
await transport.start()
if (role === 'receive') {
  transport.on('session', (session) =>
    session.on('transfer', (incoming) => void incoming.accept({ write: async () => {} })),
  )
  await transport.listen(`tcp://${host}:${port}`)
  process.stdout.write('ready\n')
  process.stdin.on('close', () => transport.stop().then(() => process.exit(0)))
  process.stdin.resume()
} else {
  const session = await transport.dial(`tcp://${host}:${port}`)
  await new Promise((resolve) => setTimeout(resolve, 300)) // let the extra streams join
  const sizeBytes = Number(bytes)
  const block = new Uint8Array(4 * 1024 * 1024).fill(0x5a)
  const source = {
    sizeBytes,
    read: async (offset, length) => block.subarray(0, Math.min(length, sizeBytes - offset)),
  }
  const started = performance.now()
  await session.transfer(source)
  const seconds = (performance.now() - started) / 1000
  process.stdout.write(`${JSON.stringify({ goodputBps: (sizeBytes * 8) / seconds })}\n`)
  await transport.stop()
}
