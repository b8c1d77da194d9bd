import type { DirectionCounters } from './delay-line.js'
import type { WanEmulator } from './emulator.js'
import { startProbe } from './probe-process.js'

/** Options of {@link measureLoss}. */
export interface LossOptions {
  /** Datagrams sent from A to B. @default 5000 */
  datagrams?: number
  /** Sending rate, modest so that no queue fills. @default 5000 */
  packetsPerS?: number
  /** UDP payload per datagram. @default 100 */
  payloadBytes?: number
  /** UDP port of the sink in B. @default 40002 */
  port?: number
}

/** One-way loss A → B, end to end and by the delay line's own count. */
export interface LossMeasurement {
  sent: number
  received: number
  /** `1 - received / sent`. */
  lossRate: number
  /** Delay-line counters A → B accumulated during the measurement. */
  delayLine: Pick<DirectionCounters, 'packetsIn' | 'droppedLoss' | 'droppedQueue' | 'droppedBuffer'>
}

function difference(after: DirectionCounters, before: DirectionCounters): LossMeasurement['delayLine'] {
  return {
    packetsIn: after.packetsIn - before.packetsIn,
    droppedLoss: after.droppedLoss - before.droppedLoss,
    droppedQueue: after.droppedQueue - before.droppedQueue,
    droppedBuffer: after.droppedBuffer - before.droppedBuffer,
  }
}

/**
 * Sends numbered UDP datagrams from A to a counting sink in B at a modest rate and counts what arrives, then
 * reads the delay line's counters for the same interval (so queue drops can be told apart from random loss).
 */
export async function measureLoss(
  emulator: WanEmulator,
  options: LossOptions = {},
): Promise<LossMeasurement> {
  const datagrams = options.datagrams ?? 5000
  const packetsPerS = options.packetsPerS ?? 5000
  const port = String(options.port ?? 40002)
  const sink = startProbe(emulator, 'b', ['udp-sink', emulator.addressB, port])
  try {
    await sink.ready()
    const before = await emulator.stats()
    const source = startProbe(emulator, 'a', [
      'udp-source',
      emulator.addressB,
      port,
      String(datagrams),
      String(packetsPerS),
      String(options.payloadBytes ?? 100),
    ])
    const { sent } = await source.result<{ sent: number }>((datagrams / packetsPerS) * 1000 * 2 + 10_000)
    const drainMs = emulator.link.rttMs / 2 + 4 * emulator.link.jitterMs + 300
    await new Promise((resolve) => setTimeout(resolve, drainMs))
    const after = await emulator.stats()
    sink.finish()
    const { received } = await sink.result<{ received: number }>(5_000)
    return {
      sent,
      received,
      lossRate: 1 - received / sent,
      delayLine: difference(after.aToB, before.aToB),
    }
  } finally {
    sink.finish()
  }
}
