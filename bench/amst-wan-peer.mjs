// One side of an AMST run inside an emulator namespace.
//   node amst-wan-peer.mjs receive <host> <port> <congestion>
//   node amst-wan-peer.mjs send <host> <port> <congestion> <streams> <seconds>  → prints {"goodputBps": …}
// The receiver discards what it gets through a positional sink (as iperf3 discards), so chunks are written as
// they land and acknowledged one by one. BENCH_AMST_LIMITS (JSON, SessionLimits) overrides the session limits.
import { tcpTransport } from '@dwcp/amst'
import { silentLogger, systemClock } from '@dwcp/core'

const [role, host, port, congestion, streams, bytes] = process.argv.slice(2)
const identity = (nodeId) => ({
  nodeId,
  clusterId: 'bench',
  mode: 'internet',
  capabilities: { codecs: ['none'], maxStreams: 64, rdma: false },
})
const limits = process.env.BENCH_AMST_LIMITS ? JSON.parse(process.env.BENCH_AMST_LIMITS) : undefined
const transport = tcpTransport({ tls: false, congestion, streams: Number(streams ?? 1), limits })({
  identity: () => identity(role),
  clock: systemClock(),
  logger: silentLogger(),
})
await transport.start()
if (role === 'receive') {
  transport.on('session', (session) =>
    session.on('transfer', (incoming) => {
      // Every run ends with the sender aborting its endless transfer: that rejection is expected.
      incoming.accept({ positional: true, write: async () => {} }).catch(() => {})
    }),
  )
  await transport.listen(`tcp://${host}:${port}`)
  process.stdout.write('ready\n')
  process.stdin.on('close', () => transport.stop().then(() => process.exit(0)))
  process.stdin.resume()
} else {
  // Like iperf3: send for `seconds` and count what the receiver acknowledged in that time, then stop.
  const seconds = Number(bytes)
  const session = await transport.dial(`tcp://${host}:${port}`)
  await new Promise((resolve) => setTimeout(resolve, 300)) // let the extra streams join
  const block = new Uint8Array(4 * 1024 * 1024).fill(0x5a)
  const sizeBytes = 2 ** 40
  const source = {
    sizeBytes,
    read: async (offset, length) => block.subarray(0, Math.min(length, sizeBytes - offset)),
  }
  const controller = new AbortController()
  let ackedBytes = 0
  const started = performance.now()
  const timer = setTimeout(() => controller.abort(), seconds * 1000)
  await session
    .transfer(source, { signal: controller.signal, onProgress: (p) => (ackedBytes = p.bytesAcked) })
    .catch(() => {})
  clearTimeout(timer)
  const elapsed = (performance.now() - started) / 1000
  process.stdout.write(`${JSON.stringify({ goodputBps: (ackedBytes * 8) / elapsed })}\n`)
  await transport.stop()
  process.exit(0)
}
