// The embedding example quoted in the README. Keep the two in step: CI compiles and runs this file.
import { bytesSink, bytesSource, createNode } from 'dwcp'

/** Moves one VM's memory image from one node to another and returns the verified digest. */
export async function migrateImage(image: Uint8Array): Promise<string> {
  const source = createNode('datacenter', { nodeId: 'host-a' })
  const target = createNode('datacenter', { nodeId: 'host-b' })
  await source.start()
  await target.start()
  try {
    target.on('transfer', (_peer, incoming) => {
      void incoming.accept(bytesSink(incoming.sizeBytes))
    })
    await source.connect(target.addresses()[0] as string)
    const result = await source.transfer('host-b', bytesSource(image), { metadata: { vm: 'vm-42' } })
    console.log(`${result.sizeBytes} bytes, ${result.digest}, node health: ${source.health().status}`)
    return result.digest
  } finally {
    await source.stop()
    await target.stop()
  }
}
