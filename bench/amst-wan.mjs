// Emulated-WAN half of `pnpm bench amst`: for each profile, iperf3 (-P 1 and -P 8, cubic and bbr) and AMST
// (1/4/8/16 streams, cubic and bbr) on the same emulated path, in the same run, each for the same number of
// seconds (AMST: bytes the receiver acknowledged in that time, like iperf3's received bytes). Needs root.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createWanEmulator, wanEmulatorAvailable } from '@dwcp/wan-emulator'

const here = dirname(fileURLToPath(import.meta.url))
const availability = await wanEmulatorAvailable()
if (!availability.available) throw new Error(availability.reason)

const seconds = Number(process.env.BENCH_WAN_SECONDS ?? 8)
const profiles = (process.env.BENCH_WAN_PROFILES ?? 'wan50,wan100loss1,wan200loss2').split(',')
const gbps = (bps) => (bps / 1e9).toFixed(3)

async function iperf3(emulator, parallel, congestion) {
  const server = emulator.run('b', 'iperf3', ['-s', '-1', '-B', emulator.addressB, '-p', '5201'], {
    stdio: 'ignore',
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const result = await emulator.exec(
    'a',
    'iperf3',
    [
      '-c',
      emulator.addressB,
      '-p',
      '5201',
      '-t',
      String(seconds),
      '-P',
      String(parallel),
      '-C',
      congestion,
      '-J',
    ],
    (seconds + 30) * 1000,
  )
  server.kill()
  const report = JSON.parse(result.stdout)
  return report.end.sum_received.bits_per_second
}

async function amst(emulator, streams, congestion) {
  const receiver = emulator.execNode(
    'b',
    join(here, 'amst-wan-peer.mjs'),
    ['receive', emulator.addressB, '7000', congestion],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  await new Promise((resolve) => receiver.stdout.once('data', resolve))
  const result = await emulator.exec(
    'a',
    process.execPath,
    [
      join(here, 'amst-wan-peer.mjs'),
      'send',
      emulator.addressB,
      '7000',
      congestion,
      String(streams),
      String(seconds),
    ],
    (seconds + 60) * 1000,
  )
  receiver.stdin.end()
  if (receiver.exitCode === null && receiver.signalCode === null)
    await new Promise((resolve) => receiver.once('exit', resolve))
  const line = result.stdout.trim().split('\n').at(-1)
  if (result.code !== 0 || !line) throw new Error(`AMST sender failed: ${result.stderr}`)
  return JSON.parse(line).goodputBps
}

/** Runs every profile; returns rows for bench/results/amst.json. */
export async function runWanBenchmarks({ repeats }) {
  const rows = []
  for (const profile of profiles) {
    const emulator = await createWanEmulator({ profile, seed: 7 })
    try {
      const { rttMs, lossRate, rateBps } = emulator.link
      console.log(
        `\n${profile}: RTT ${rttMs} ms, loss ${(lossRate ?? 0) * 100} %, ${rateBps / 1e6} Mbit/s; ${seconds} s runs, best of ${repeats}`,
      )
      console.log('congestion  tool    streams  Gbit/s')
      for (const congestion of ['cubic', 'bbr']) {
        const reference = {}
        for (const parallel of [1, 8]) {
          let top = 0
          for (let i = 0; i < repeats; i++) top = Math.max(top, await iperf3(emulator, parallel, congestion))
          reference[parallel] = top
          rows.push({ profile, congestion, tool: 'iperf3', streams: parallel, gbps: Number(gbps(top)) })
          console.log(`${congestion.padEnd(10)}  iperf3  ${String(parallel).padStart(7)}  ${gbps(top)}`)
        }
        const bestIperf = Math.max(reference[1], reference[8])
        for (const streams of [1, 4, 8, 16]) {
          let top = 0
          for (let i = 0; i < repeats; i++) top = Math.max(top, await amst(emulator, streams, congestion))
          const ratio = top / bestIperf
          rows.push({
            profile,
            congestion,
            tool: 'amst',
            streams,
            gbps: Number(gbps(top)),
            ratioToBestIperf3: Number(ratio.toFixed(3)),
          })
          console.log(
            `${congestion.padEnd(10)}  amst    ${String(streams).padStart(7)}  ${gbps(top)}  (${(ratio * 100).toFixed(0)} % of the best iperf3)`,
          )
        }
      }
    } finally {
      await emulator.stop()
    }
  }
  return rows
}
