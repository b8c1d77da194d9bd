import { MemoryNetwork, memoryTransport } from '@dwcp/amst'
import { bytesSink, createNode, isMode, type Mode, type TransferSource } from 'dwcp'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Mode of both nodes. @default 'datacenter' */
  mode: Mode
  /** Size of the simulated VM memory image. @default 268435456 (256 MiB) */
  memoryBytes: number
  /** Where progress lines go. @default console.log */
  print: (line: string) => void
}

/** What the demo measured. */
export interface DemoReport {
  mode: Mode
  messagesRoundTripMs: number
  transferBytes: number
  transferMs: number
  goodputBps: number
  digest: string
  digestsMatch: boolean
}

const PAGE_BYTES = 4096

/**
 * A memory image that looks like a VM's: a quarter zero pages, the rest pages filled from a counter, so the
 * content is deterministic without holding the whole image in memory (pages are generated as they are read).
 */
function vmMemorySource(sizeBytes: number): TransferSource {
  return {
    sizeBytes,
    async read(offsetBytes, lengthBytes) {
      const end = Math.min(sizeBytes, offsetBytes + lengthBytes)
      const bytes = new Uint8Array(end - offsetBytes)
      // Reads are 4-byte aligned (chunk sizes are), so the page contents fill whole 32-bit words.
      const words = new Uint32Array(bytes.buffer, 0, bytes.byteLength >>> 2)
      for (let i = 0; i < words.length; i++) {
        const absolute = offsetBytes + i * 4
        if (Math.floor(absolute / PAGE_BYTES) % 4 === 0) continue // a zero page
        words[i] = Math.imul(absolute, 2654435761) >>> 0
      }
      return bytes
    },
  }
}

/** Runs two nodes in one process: a handshake, message ping-pong, a bulk transfer, health, then a clean stop. */
export async function runDemo(options: Partial<DemoOptions> = {}): Promise<DemoReport> {
  const mode = options.mode ?? 'datacenter'
  const memoryBytes = options.memoryBytes ?? 256 * 1024 * 1024
  const print = options.print ?? ((line: string) => console.log(line))
  if (!isMode(mode)) throw new Error(`unknown mode ${String(mode)}`)

  // Internet mode runs over an emulated WAN path (20 ms one way, 0.5 % loss) to show the difference.
  const network = new MemoryNetwork()
  const conditions = mode === 'datacenter' ? {} : { latencyMs: 20, lossRate: 0.005 }
  const transport = memoryTransport({ network, conditions, streams: 8 })
  const source = createNode(mode, { nodeId: 'source-host', transport, listen: ['memory://source-host'] })
  const target = createNode(mode, { nodeId: 'target-host', transport, listen: ['memory://target-host'] })
  await source.start()
  await target.start()
  try {
    print(`two ${mode} nodes started: ${source.addresses().join()} and ${target.addresses().join()}`)
    target.on('message', (peer, channel, bytes) => {
      if (channel === 'control') void target.send(peer, 'control', bytes)
    })
    const session = await source.connect('memory://target-host')
    print(
      `session ${session.id.slice(0, 8)} to ${session.remote.nodeId} (mode ${session.remote.mode}, ${session.streams} streams)`,
    )

    const pongs = 10
    const started = performance.now()
    for (let i = 0; i < pongs; i++) {
      const pong = new Promise<void>((resolve) => source.once('message', () => resolve()))
      await source.send('target-host', 'control', new TextEncoder().encode(`ping ${i}`))
      await pong
    }
    const messagesRoundTripMs = (performance.now() - started) / pongs
    print(`control messages: ${pongs} round trips, ${messagesRoundTripMs.toFixed(2)} ms each`)

    const sink = bytesSink(memoryBytes)
    const received = new Promise<string>((resolve, reject) =>
      target.on('transfer', (_peer, incoming) =>
        incoming.accept(sink).then((r) => resolve(r.digest), reject),
      ),
    )
    let lastReportedPercent = 0
    const transferStarted = performance.now()
    const sent = await source.transfer('target-host', vmMemorySource(memoryBytes), {
      metadata: { workload: 'vm-demo', kind: 'memory' },
      onProgress: ({ bytesAcked, totalBytes }) => {
        const percent = Math.floor((bytesAcked / totalBytes) * 4) * 25
        if (percent > lastReportedPercent) {
          lastReportedPercent = percent
          print(`  transfer ${percent}% acknowledged`)
        }
      },
    })
    const transferMs = performance.now() - transferStarted
    const receivedDigest = await received
    const goodputBps = (memoryBytes * 8 * 1000) / transferMs
    print(
      `bulk transfer: ${(memoryBytes / 2 ** 20).toFixed(0)} MiB in ${transferMs.toFixed(0)} ms ` +
        `(${(goodputBps / 1e9).toFixed(2)} Gbit/s), digest ${sent.digest.slice(0, 23)}… ` +
        `${sent.digest === receivedDigest ? 'matches' : 'DOES NOT MATCH'}`,
    )
    const health = source.health()
    print(`health: ${health.status}`)
    for (const [name, component] of Object.entries(health.components))
      print(
        `  ${name.padEnd(13)} ${component.status.padEnd(9)}${component.implementation ? ` ${component.implementation}` : ''}${component.reason ? ` — ${component.reason}` : ''}`,
      )
    return {
      mode,
      messagesRoundTripMs,
      transferBytes: memoryBytes,
      transferMs,
      goodputBps,
      digest: sent.digest,
      digestsMatch: sent.digest === receivedDigest,
    }
  } finally {
    await source.stop()
    await target.stop()
    print('both nodes stopped')
  }
}
