import type { WanEmulator } from './emulator.js'
import { startProbe } from './probe-process.js'
import { median } from './statistics.js'

/** Options of {@link measureRtt}. */
export interface RttOptions {
  /** Probes sent. @default 20 */
  count?: number
  /** Gap between probes. @default 50 */
  intervalMs?: number
  /** UDP port of the echo server in B. @default 40001 */
  port?: number
}

/** Round trips of UDP probes from A to an echo server in B. */
export interface RttMeasurement {
  sent: number
  /** Round trips of the probes that came back, in arrival order. */
  samplesMs: number[]
  medianMs: number
  minMs: number
  maxMs: number
}

/**
 * Measures the round-trip time A → B → A with 64-byte UDP probes (a Node echo server in B, a Node client in
 * A), the way `ping -c COUNT -i INTERVAL` would. Lost probes are left out.
 */
export async function measureRtt(emulator: WanEmulator, options: RttOptions = {}): Promise<RttMeasurement> {
  const count = options.count ?? 20
  const intervalMs = options.intervalMs ?? 50
  const port = String(options.port ?? 40001)
  const waitMs = Math.ceil(2 * emulator.link.rttMs + 8 * emulator.link.jitterMs + 500)
  const server = startProbe(emulator, 'b', ['echo-server', emulator.addressB, port])
  try {
    await server.ready()
    const client = startProbe(emulator, 'a', [
      'rtt',
      emulator.addressB,
      port,
      String(count),
      String(intervalMs),
      String(waitMs),
    ])
    const { sent, rttMs } = await client.result<{ sent: number; rttMs: number[] }>(
      count * intervalMs + waitMs + 10_000,
    )
    if (rttMs.length === 0) throw new Error(`no RTT probe came back (${sent} sent)`)
    return {
      sent,
      samplesMs: rttMs,
      medianMs: median(rttMs),
      minMs: Math.min(...rttMs),
      maxMs: Math.max(...rttMs),
    }
  } finally {
    server.finish()
  }
}
