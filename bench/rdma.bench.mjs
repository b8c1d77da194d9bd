// The addon's UCX throughput beside ucx_perftest (tag_bw), same message sizes, same UCX_TLS and devices, both
// measured in this run. Two processes on each side of the comparison; both busy-poll (ucx_perftest always does;
// the addon is asked to with busyPoll). Sizes in bytes; bandwidth in MiB/s (ucx_perftest's "MB/s" is 2^20 B/s).
import { fork, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UCX_SAFETY_DEFAULTS, UcxWorker } from '@dwcp/rdma-native'
import { freePort } from './member-processes.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const tls = process.env.BENCH_UCX_TLS ?? 'tcp'
const devices = process.env.BENCH_UCX_DEVICES ?? 'lo'
const totalBytes = Number(process.env.BENCH_BYTES ?? 1024 * 1024 * 1024)
const repeats = Number(process.env.BENCH_REPEATS ?? 3)
const sizes = [4096, 65536, 1 << 20, 8 << 20, 64 << 20]
const ucxEnv = { ...process.env, ...UCX_SAFETY_DEFAULTS, UCX_TLS: tls, UCX_NET_DEVICES: devices }
process.env.BENCH_UCX_TLS = tls
process.env.BENCH_UCX_DEVICES = devices

if (spawnSync('ucx_perftest', ['-h'], { stdio: 'ignore' }).error) {
  console.error('ucx_perftest is not installed (Debian package ucx-utils): no reference, no benchmark')
  process.exit(2)
}

const windowFor = (size) => Math.max(4, Math.min(16, (32 << 20) / size))
const countFor = (size) => Math.max(1, Math.floor(totalBytes / size))
// ucx_perftest's rule: min(10000 warm-up iterations, a tenth of the measured ones), not timed.
const warmupFor = (size) => Math.min(10_000, Math.floor(countFor(size) / 10))

async function perftest(size) {
  const port = await freePort()
  const server = spawn('ucx_perftest', ['-p', String(port)], { env: ucxEnv, stdio: 'ignore' })
  await new Promise((r) => setTimeout(r, 500))
  const client = spawnSync(
    'ucx_perftest',
    ['127.0.0.1', '-p', String(port), '-t', 'tag_bw', '-s', String(size), '-n', String(countFor(size))],
    { env: ucxEnv, encoding: 'utf8', timeout: 300_000 },
  )
  server.kill()
  const final = client.stdout.split('\n').find((l) => l.startsWith('Final:'))
  if (!final) throw new Error(`ucx_perftest gave no result: ${client.stderr || client.stdout}`)
  return Number(final.trim().split(/\s+/)[6]) // overall bandwidth column
}

async function addon(size) {
  const count = countFor(size)
  const warmup = warmupFor(size)
  const window = windowFor(size)
  const peer = fork(join(here, 'rdma-peer.mjs'), [String(size), String(count + warmup), String(window)], {
    env: ucxEnv,
  })
  const { port } = await new Promise((r) => peer.once('message', r))
  const worker = UcxWorker.create({ netDevices: devices, transports: tls, busyPoll: true })
  const endpoint = await worker.connect('127.0.0.1', port)
  const source = new Uint8Array(size).fill(0x5a)
  const done = endpoint.recv(new Uint8Array(1), 0xfffffff0)
  const inFlight = new Set()
  let started = performance.now()
  for (let i = 0; i < count + warmup; i++) {
    if (i === warmup) {
      await Promise.all(inFlight)
      started = performance.now()
    }
    const sent = endpoint.send(source, i).finally(() => inFlight.delete(sent))
    inFlight.add(sent)
    if (inFlight.size >= window) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  await done
  const seconds = (performance.now() - started) / 1000
  worker.close()
  await new Promise((r) => peer.once('exit', r))
  return (count * size) / 2 ** 20 / seconds
}

console.log(
  `UCX_TLS=${tls} UCX_NET_DEVICES=${devices}, ${(totalBytes / 2 ** 20).toFixed(0)} MiB per size, best of ${repeats}`,
)
console.log('size_bytes  ucx_perftest_MiBps  addon_MiBps  ratio')
const rows = []
for (const size of sizes) {
  let reference = 0
  let ours = 0
  for (let i = 0; i < repeats; i++) {
    reference = Math.max(reference, await perftest(size))
    ours = Math.max(ours, await addon(size))
  }
  const row = {
    sizeBytes: size,
    window: windowFor(size),
    ucxPerftestMiBps: Math.round(reference),
    addonMiBps: Math.round(ours),
    ratio: Number((ours / reference).toFixed(3)),
  }
  rows.push(row)
  console.log(
    `${String(size).padStart(10)}  ${String(row.ucxPerftestMiBps).padStart(18)}  ${String(row.addonMiBps).padStart(11)}  ${row.ratio.toFixed(2)}`,
  )
}
const out = join(here, 'results', 'rdma.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify({ benchmark: 'rdma', command: 'pnpm bench rdma', ucxTls: tls, ucxNetDevices: devices, totalBytesPerSize: totalBytes, repeats, node: process.version, rows }, null, 2)}\n`,
)
console.log('results written to bench/results/rdma.json')
