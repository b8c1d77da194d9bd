import { bytesSink, bytesSource, createNode } from 'dwcp'

/** Two nodes in one process: `host-b` receives a 4 MiB image from `host-a`; returns the digest both agreed on. */
export async function embedBasic(image = new Uint8Array(4 * 1024 * 1024).fill(7)): Promise<string> {
  const a = createNode('datacenter', { nodeId: 'host-a', metrics: false })
  const b = createNode('datacenter', { nodeId: 'host-b', metrics: false })
  await Promise.all([a.start(), b.start()])
  try {
    b.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    await a.connect(b.addresses()[0] as string)
    const result = await a.transfer('host-b', bytesSource(image), { metadata: { vm: 'vm-42' } })
    return result.digest
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}
