// In-memory transport throughput: a bulk transfer between two nodes in one process, against a reference
// measured in the same run — the work any transfer of these bytes must do in this process (copy the bytes once
// and hash them on both ends with sha256). The ratio says how much the session engine (striping, windows,
// acknowledgements, reordering) costs on top of that floor.
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryNetwork, memoryTransport } from '@dwcp/amst'
import { bytesSink, bytesSource, createNode } from 'dwcp'

const sizeBytes = Number(process.env.BENCH_BYTES ?? 512 * 1024 * 1024)
const repeats = Number(process.env.BENCH_REPEATS ?? 3)
const streamCounts = [1, 4, 16]
const payload = randomBytes(sizeBytes)

function best(samples) {
  return Math.min(...samples)
}

function referenceMs() {
  const copy = new Uint8Array(sizeBytes)
  const started = performance.now()
  copy.set(payload)
  createHash('sha256').update(payload).digest()
  createHash('sha256').update(copy).digest()
  return performance.now() - started
}

async function transferMs(streams) {
  const network = new MemoryNetwork()
  const transport = memoryTransport({ network, streams })
  const a = createNode('datacenter', { nodeId: 'a', transport, listen: ['memory://a'], metrics: false })
  const b = createNode('datacenter', { nodeId: 'b', transport, listen: ['memory://b'], metrics: false })
  await a.start()
  await b.start()
  const sink = bytesSink(sizeBytes)
  const received = new Promise((resolve, reject) =>
    b.on('transfer', (_p, incoming) => incoming.accept(sink).then(resolve, reject)),
  )
  await a.connect('memory://b')
  const started = performance.now()
  await a.transfer('b', bytesSource(payload))
  await received
  const elapsed = performance.now() - started
  await a.stop()
  await b.stop()
  globalThis.gc?.()
  return elapsed
}

const gbps = (ms) => (sizeBytes * 8) / (ms / 1000) / 1e9
const reference = best(Array.from({ length: repeats }, referenceMs))
console.log(`object: ${(sizeBytes / 2 ** 20).toFixed(0)} MiB, best of ${repeats}`)
console.log(
  `reference (copy + sha256 on both ends): ${reference.toFixed(0)} ms, ${gbps(reference).toFixed(2)} Gbit/s`,
)
const rows = []
for (const streams of streamCounts) {
  const samples = []
  for (let i = 0; i < repeats; i++) samples.push(await transferMs(streams))
  const ms = best(samples)
  const row = {
    streams,
    ms: Math.round(ms),
    gbps: Number(gbps(ms).toFixed(2)),
    ratioToReference: Number((reference / ms).toFixed(3)),
  }
  rows.push(row)
  console.log(
    `memory transport, ${streams} streams: ${row.ms} ms, ${row.gbps} Gbit/s, ratio to reference ${row.ratioToReference}`,
  )
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'memory-transfer.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'memory-transfer',
      command: 'pnpm bench memory-transfer',
      node: process.version,
      sizeBytes,
      repeats,
      reference: {
        what: 'copy + sha256 on both ends',
        ms: Math.round(reference),
        gbps: Number(gbps(reference).toFixed(2)),
      },
      runs: rows,
    },
    null,
    2,
  )}\n`,
)
console.log(`results written to bench/results/memory-transfer.json`)
