// `pnpm bench amst`: AMST goodput beside references measured in the same run.
//  - loopback: the TCP transport against a raw Node socket pipe at the same stream count (cost of framing,
//    CRC32C, acknowledgements and the end-to-end digest: the receiver is a positional sink, so the digest is
//    the chunk list sha256);
//  - emulated WAN paths (needs root): AMST with 1/4/8/16 streams under cubic and bbr against iperf3 -P 1 and
//    -P 8 with the same congestion control on the same emulated path.
// BENCH_PARTS=loopback|wan and BENCH_WAN_PROFILES=… rerun a part; the rows of parts and profiles not rerun are
// kept from the previous results file, each row stamped with the date it was measured.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { amstLoopbackBps, rawPipeBps } from './amst-loopback.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const totalBytes = Number(process.env.BENCH_BYTES ?? 1024 * 1024 * 1024)
const repeats = Number(process.env.BENCH_REPEATS ?? 3)
const gbps = (bps) => (bps / 1e9).toFixed(2)
const best = async (fn) => {
  let top = 0
  for (let i = 0; i < repeats; i++) top = Math.max(top, await fn())
  return top
}

const out = join(here, 'results', 'amst.json')
const parts = (process.env.BENCH_PARTS ?? 'loopback,wan').split(',')
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { loopback: [], wan: [] }
const measuredAt = new Date().toISOString().slice(0, 10)
const results = {
  benchmark: 'amst',
  command: 'pnpm bench amst',
  node: process.version,
  totalBytes,
  repeats,
  loopback: parts.includes('loopback') ? [] : previous.loopback,
  wan: previous.wan ?? [],
}
if (parts.includes('loopback')) {
  console.log(`loopback, ${(totalBytes / 2 ** 20).toFixed(0)} MiB, best of ${repeats}`)
  console.log('streams  raw_pipe_Gbps  amst_Gbps  ratio  framing_cost')
  for (const streams of [1, 4, 8, 16]) {
    const raw = await best(() => rawPipeBps(totalBytes, streams))
    const amst = await best(() => amstLoopbackBps(totalBytes, streams, 'cubic'))
    const row = {
      streams,
      rawPipeGbps: Number(gbps(raw)),
      amstGbps: Number(gbps(amst)),
      ratio: Number((amst / raw).toFixed(3)),
      measuredAt,
    }
    results.loopback.push(row)
    console.log(
      `${String(streams).padStart(7)}  ${gbps(raw).padStart(13)}  ${gbps(amst).padStart(9)}  ${row.ratio.toFixed(2)}   ${((1 - row.ratio) * 100).toFixed(0)} %`,
    )
  }
}

if (parts.includes('wan')) {
  const wan = await import('./amst-wan.mjs').catch((error) => ({ unavailable: error.message }))
  if (wan.runWanBenchmarks) {
    const rows = (await wan.runWanBenchmarks({ repeats })).map((row) => ({ ...row, measuredAt }))
    const rerun = new Set(rows.map((row) => row.profile))
    results.wan = [...results.wan.filter((row) => !rerun.has(row.profile)), ...rows]
  } else console.log(`emulated WAN part skipped: ${wan.unavailable}`)
}

mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
console.log('results written to bench/results/amst.json')
