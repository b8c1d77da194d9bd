import { findExecutable } from './commands.js'
import { deviceCounters } from './device-counters.js'
import { EMULATOR_ADDRESSES, EMULATOR_DEVICE, type WanEmulator } from './emulator.js'
import { startIperf3Server } from './iperf3.js'
import { startProbe } from './probe-process.js'

/** Options of {@link measureRate}. */
export interface RateOptions {
  /**
   * Traffic that fills the link: bulk TCP, or UDP offered above the link rate. TCP over a lossy path backs
   * off below the link rate, so lossy paths need UDP to show their rate limit.
   * @default 'tcp' when the link has no loss, else 'udp'
   */
  load?: 'tcp' | 'udp'
  /** TCP load generator. @default 'auto': iperf3 when on PATH, else the Node probes */
  tool?: 'auto' | 'iperf3' | 'node'
  /**
   * Parallel TCP connections. One fills the link; more overflow the queue harder in slow start and cost the
   * delay line CPU it needs on a small machine.
   * @default 1
   */
  streams?: number
  /**
   * Time before the measuring window: TCP's slow start and the recovery from its overshoot, or for UDP the
   * one-way delay plus time for the queue to build a cushion against sender stalls.
   * @default TCP: 20 RTTs within 2000..4000 ms; UDP: RTT / 2 + 1000 ms
   */
  warmupMs?: number
  /** Length of the measuring window. @default 1500 */
  windowMs?: number
  /** UDP offered load relative to what the link can carry after loss. @default 1.2 */
  overdrive?: number
  /**
   * Nice value of the load generators: above other work on the machine, below the delay line (-10).
   * @default -5
   */
  niceValue?: number
  /** Port of the receiver in B. @default 40003 */
  port?: number
}

/** Rate of the path A → B. */
export interface RateMeasurement {
  load: 'tcp' | 'udp'
  tool: 'iperf3' | 'node'
  /** IP bits per second delivered into B during the window, from the kernel counters of B's TUN device. */
  linkRateBps: number
  windowMs: number
  /** TCP payload bits per second over the whole transfer, slow start included, as the tool saw it. */
  goodputBps?: number
  /** UDP bits per second offered by A (IP bytes). */
  offeredBps?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function sampleRxBytes(emulator: WanEmulator): Promise<{ bytes: number; atMs: number }> {
  const startMs = performance.now()
  const counters = await deviceCounters(emulator.nsB, EMULATOR_DEVICE)
  return { bytes: counters.rxBytes, atMs: (startMs + performance.now()) / 2 }
}

/** Goodput from the Node sink's cumulative samples: first to last change of the byte count. */
function sinkGoodputBps(samples: Array<[number, number]>): number | undefined {
  const moving = samples.filter(([, bytes], i) => i > 0 && bytes !== samples[i - 1]![1])
  const first = samples.find(([, bytes]) => bytes > 0)
  const last = moving.at(-1)
  if (first === undefined || last === undefined || last[0] <= first[0]) return undefined
  return ((last[1] - first[1]) * 8 * 1000) / (last[0] - first[0])
}

/**
 * Fills the path A → B and measures the rate that arrives in B over a window after warm-up, from kernel
 * counters (independent of the tool). TCP load runs iperf3 or the Node probes with `streams` connections;
 * UDP load is a paced Node sender at `overdrive` × the link rate towards B's discard address, in datagrams the
 * kernel fragments at the MTU.
 */
export async function measureRate(
  emulator: WanEmulator,
  options: RateOptions = {},
): Promise<RateMeasurement> {
  const link = emulator.link
  const load = options.load ?? (link.lossRate === 0 ? 'tcp' : 'udp')
  const windowMs = options.windowMs ?? 1500
  const warmupMs =
    options.warmupMs ??
    (load === 'tcp' ? Math.min(4000, Math.max(2000, 20 * link.rttMs)) : link.rttMs / 2 + 1000)
  const durationMs = warmupMs + windowMs + 500
  const port = String(options.port ?? 40003)
  const useIperf3 =
    load === 'tcp' &&
    (options.tool === 'iperf3' ||
      ((options.tool ?? 'auto') === 'auto' && findExecutable('iperf3') !== undefined))
  const tool = useIperf3 ? 'iperf3' : 'node'
  const niceValue = options.niceValue ?? -5

  const measureWindow = async () => {
    await sleep(warmupMs)
    const first = await sampleRxBytes(emulator)
    await sleep(windowMs)
    const second = await sampleRxBytes(emulator)
    return ((second.bytes - first.bytes) * 8 * 1000) / (second.atMs - first.atMs)
  }

  if (useIperf3) {
    const server = await startIperf3Server(emulator, port, niceValue)
    try {
      const seconds = Math.ceil(durationMs / 1000)
      const clientArgs = ['-n', String(niceValue), 'iperf3', '-c', emulator.addressB, '-p', port, '-J']
      clientArgs.push('-t', String(seconds), '-P', String(options.streams ?? 1))
      const client = emulator.exec('a', 'nice', clientArgs, seconds * 1000 + 20_000)
      const linkRateBps = await measureWindow()
      const report = await client
      if (report.code !== 0)
        throw new Error(`iperf3 client failed: ${report.stderr || report.stdout.slice(0, 500)}`)
      const summary = JSON.parse(report.stdout) as { end?: { sum_received?: { bits_per_second: number } } }
      const goodputBps = summary.end?.sum_received?.bits_per_second
      return { load, tool, linkRateBps, windowMs, ...(goodputBps === undefined ? {} : { goodputBps }) }
    } finally {
      server.stop()
    }
  }

  if (load === 'tcp') {
    const sink = startProbe(emulator, 'b', ['tcp-sink', emulator.addressB, port], niceValue)
    try {
      await sink.ready()
      const source = startProbe(
        emulator,
        'a',
        ['tcp-source', emulator.addressB, port, String(durationMs), String(options.streams ?? 1)],
        niceValue,
      )
      const linkRateBps = await measureWindow()
      await source.result(durationMs + 30_000)
      sink.finish()
      const { samples } = await sink.result<{ samples: Array<[number, number]> }>(5_000)
      const goodputBps = sinkGoodputBps(samples)
      return { load, tool, linkRateBps, windowMs, ...(goodputBps === undefined ? {} : { goodputBps }) }
    } finally {
      sink.finish()
    }
  }

  // UDP to B's discard address: it crosses the link and is dropped on arrival, so B's stack does no work.
  // Datagrams of ten full fragments: the kernel splits them at the MTU, so the sender makes a tenth of the
  // system calls that MTU-sized datagrams would need, and a Node sender can fill a 1 Gbit/s link.
  const fragmentPayloadBytes = (emulator.mtuBytes - 20) & ~7
  const fragments = 10
  const payloadBytes = fragments * fragmentPayloadBytes - 8
  const wireBytes = fragments * fragmentPayloadBytes + fragments * 20
  const offeredTargetBps = ((options.overdrive ?? 1.2) * link.rateBps) / (1 - link.lossRate)
  const datagramsPerS = Math.ceil(offeredTargetBps / 8 / wireBytes)
  const count = Math.ceil((datagramsPerS * durationMs) / 1000)
  const source = startProbe(
    emulator,
    'a',
    [
      'udp-source',
      EMULATOR_ADDRESSES.discardB,
      port,
      String(count),
      String(datagramsPerS),
      String(payloadBytes),
    ],
    niceValue,
  )
  const linkRateBps = await measureWindow()
  const { sent, durationMs: sentMs } = await source.result<{ sent: number; durationMs: number }>(
    durationMs + 30_000,
  )
  return { load, tool, linkRateBps, windowMs, offeredBps: (sent * wireBytes * 8 * 1000) / sentMs }
}
