// A UCX peer in its own process, for tests that kill a peer mid-transfer. It listens on loopback, reports its
// port to the parent, and receives 1 MiB messages until it is killed.
import { UcxWorker } from '@dwcp/rdma-native'

const worker = UcxWorker.create({ netDevices: 'lo', transports: 'tcp' })
const { port } = worker.listen('127.0.0.1', 0)
worker.on('connection', async (endpoint) => {
  const buffer = new Uint8Array(1 << 20)
  for (let sequence = 0; ; sequence++) {
    await endpoint.recv(buffer, sequence >>> 0)
    if (sequence === 2) process.send?.({ receiving: true })
  }
})
process.send?.({ port })
