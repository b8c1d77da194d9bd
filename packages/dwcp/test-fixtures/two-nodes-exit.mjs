// Starts two nodes, exchanges a message and a 64 MiB transfer, stops them, and then simply returns: the process
// must exit by itself. Before returning it reports the resources still keeping the event loop alive.
import { randomBytes } from 'node:crypto'
import { bytesSink, bytesSource, createNode } from 'dwcp'

const mode = process.argv[2] ?? 'datacenter'
const a = createNode(mode, { nodeId: `a-${mode}` })
const b = createNode(mode, { nodeId: `b-${mode}` })
await a.start()
await b.start()
const received = new Promise((resolve, reject) =>
  b.on('transfer', (_peer, incoming) => incoming.accept(bytesSink(incoming.sizeBytes)).then(resolve, reject)),
)
const message = new Promise((resolve) => b.on('message', (_peer, _channel, bytes) => resolve(bytes)))
await a.connect(b.addresses()[0])
await a.send(b.nodeId, 'control', new TextEncoder().encode('hello'))
await message
const payload = randomBytes(64 * 1024 * 1024)
const sent = await a.transfer(b.nodeId, bytesSource(payload))
const got = await received
await a.stop()
await b.stop()
const activeResources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap')
process.stdout.write(
  `${JSON.stringify({ mode, digestsMatch: sent.digest === got.digest, activeResources })}\n`,
)
