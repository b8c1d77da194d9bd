// The receiving side of the rdma benchmark, in its own process like ucx_perftest's server: posts `window`
// receives into reused buffers and takes `count` messages of `size` bytes, then answers on tag 0xfffffff0.
import { UcxWorker } from '@dwcp/rdma-native'

const [sizeBytes, count, window] = process.argv.slice(2).map(Number)
const worker = UcxWorker.create({
  netDevices: process.env.BENCH_UCX_DEVICES,
  transports: process.env.BENCH_UCX_TLS,
  busyPoll: true,
})
const { port } = worker.listen('127.0.0.1', 0)
worker.once('connection', async (endpoint) => {
  const buffers = Array.from({ length: window }, () => new Uint8Array(sizeBytes))
  const posted = buffers.map((buffer, i) => endpoint.recv(buffer, i))
  for (let i = 0; i < count; i++) {
    await posted[i % window]
    if (i + window < count) posted[i % window] = endpoint.recv(buffers[i % window], i + window)
  }
  // The client closes as soon as it has this answer, so a failed flush here is the expected end.
  await endpoint.send(new Uint8Array(1), 0xfffffff0).catch(() => {})
  await endpoint.flush().catch(() => {})
  worker.close()
})
process.send({ port })
