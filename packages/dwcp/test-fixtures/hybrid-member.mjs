// One hybrid-mode node in its own process, for tests whose paths cross the WAN emulator: plaintext TCP, pings
// every 100 ms so that path classes settle within seconds, and 2 streams per session until a path's class sets
// its own count. It prints one JSON line per event on stdout:
//   {"event":"ready"} once listening (and connected to the addresses it was told to dial);
//   {"event":"path", peer, from, to, atMs} each time the node reclassifies a path;
//   {"event":"status", peers: {<id>: {pathClass, codec, streams, pacingRateBps}}} for each `status` line on stdin.
// It stops when its stdin closes.
// Usage: node hybrid-member.mjs '<json: {nodeId, listen: [address], dial?: [address], dwellMs, rttWindowMs}>'
import { createInterface } from 'node:readline'
import { tcpTransport } from '@dwcp/amst'
import { createNode } from 'dwcp'

const config = JSON.parse(process.argv[2])
const emit = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)
const node = createNode('hybrid', {
  nodeId: config.nodeId,
  listen: config.listen,
  transport: tcpTransport({ tls: false, streams: 2, limits: { pingIntervalMs: 100 } }),
  sampleIntervalMs: 100,
  metrics: false,
  modeDetection: { minDwellMs: config.dwellMs, confirmSamples: 3, rttWindowMs: config.rttWindowMs },
})
node.on('path', (transition) => emit({ event: 'path', ...transition }))
await node.start()
for (const address of config.dial ?? []) await node.connect(address)
emit({ event: 'ready' })

const status = () => {
  const peers = {}
  for (const peer of node.peers()) {
    const session = node.session(peer)
    peers[peer] = {
      pathClass: node.pathClass(peer),
      codec: node.codecFor(peer).name,
      streams: session?.streams,
      pacingRateBps: session?.pacingRateBps,
    }
  }
  return peers
}
const input = createInterface({ input: process.stdin })
input.on('line', (line) => {
  if (line.trim() === 'status') emit({ event: 'status', peers: status() })
})
input.on('close', async () => {
  await node.stop()
  process.exit(0)
})
