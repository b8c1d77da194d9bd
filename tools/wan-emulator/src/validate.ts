import type { WanEmulator } from './emulator.js'
import { type LossMeasurement, type LossOptions, measureLoss } from './measure-loss.js'
import { measureRate, type RateMeasurement, type RateOptions } from './measure-rate.js'
import { measureRtt, type RttMeasurement, type RttOptions } from './measure-rtt.js'
import type { LinkParams } from './profiles.js'
import { binomialHalfWidth, lossConsistent, Z_999 } from './statistics.js'

/** What {@link validateEmulator} can check. */
export type ValidationCheckName = 'rtt' | 'rate' | 'loss'

/** Options of {@link validateEmulator}. */
export interface ValidationOptions {
  /** Checks to run, in this order. @default ['loss', 'rtt', 'rate'] */
  checks?: readonly ValidationCheckName[]
  /** Relative tolerance of the RTT and rate checks. @default 0.1 */
  tolerance?: number
  /** Normal quantile of the loss check's binomial bound. @default 3.2905 (99.9 % two-sided) */
  lossConfidenceZ?: number
  /**
   * The rate check is skipped above this rate: a user-space delay line on a small machine cannot carry it
   * (the `lan` profile's 10 Gbit/s).
   * @default 2e9
   */
  maxRateBps?: number
  /**
   * Runs of the rate measurement until one reaches the lower bound. A starved load generator (other work on
   * a small machine) can only make the rate look low; a reading above the upper bound fails at once.
   * @default 3
   */
  rateAttempts?: number
  rtt?: RttOptions
  rate?: RateOptions
  loss?: LossOptions
}

/** Outcome of one check. */
export interface ValidationCheck {
  name: ValidationCheckName
  /** Passed, or skipped (see `skipped`). */
  ok: boolean
  /** Why the check did not run. */
  skipped?: string
  /** Profile value: `rttMs`, `rateBps` or `lossRate`. */
  target: number
  /** Measured value in the same unit: median RTT, link rate in B, one-way UDP loss A → B. */
  measured: number
  /** Accepted interval for `measured`. */
  bounds: [number, number]
  /** One line for humans, with the raw numbers. */
  detail: string
  /** The raw measurement. */
  measurement?: RttMeasurement | RateMeasurement | LossMeasurement
}

/** All checks of one validation. */
export interface ValidationReport {
  profile: string
  /** Every check that ran passed. */
  ok: boolean
  checks: ValidationCheck[]
}

async function checkRtt(emulator: WanEmulator, link: LinkParams, options: ValidationOptions) {
  const tolerance = options.tolerance ?? 0.1
  const m = await measureRtt(emulator, options.rtt)
  // Node's event loop and the delay line's wake-ups add a fraction of a millisecond.
  const bounds: [number, number] = [
    link.rttMs * (1 - tolerance),
    Math.max(link.rttMs * (1 + tolerance), link.rttMs + 1),
  ]
  const detail = `median ${m.medianMs.toFixed(2)} ms (min ${m.minMs.toFixed(2)}, max ${m.maxMs.toFixed(2)}) over ${m.samplesMs.length}/${m.sent} probes`
  return { target: link.rttMs, measured: m.medianMs, bounds, detail, measurement: m }
}

async function checkRate(emulator: WanEmulator, link: LinkParams, options: ValidationOptions) {
  const tolerance = options.tolerance ?? 0.1
  const bounds: [number, number] = [link.rateBps * (1 - tolerance), link.rateBps * (1 + tolerance)]
  const attempts = Math.max(1, options.rateAttempts ?? 3)
  const readings: string[] = []
  let m: RateMeasurement | undefined
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    m = await measureRate(emulator, options.rate)
    readings.push((m.linkRateBps / 1e6).toFixed(1))
    if (m.linkRateBps >= bounds[0]) break
  }
  const last = m!
  const goodput =
    last.goodputBps === undefined ? '' : `, TCP goodput ${(last.goodputBps / 1e6).toFixed(1)} Mbit/s`
  const offered =
    last.offeredBps === undefined ? '' : `, offered ${(last.offeredBps / 1e6).toFixed(1)} Mbit/s`
  const tries = readings.length > 1 ? ` after readings ${readings.join(', ')}` : ''
  const detail = `${readings.at(-1)} Mbit/s into B over ${last.windowMs} ms (${last.load} via ${last.tool}${offered}${goodput})${tries}`
  return { target: link.rateBps, measured: last.linkRateBps, bounds, detail, measurement: last }
}

async function checkLoss(emulator: WanEmulator, link: LinkParams, options: ValidationOptions) {
  const z = options.lossConfidenceZ ?? Z_999
  const m = await measureLoss(emulator, options.loss)
  const halfWidth = binomialHalfWidth(link.lossRate, m.sent, z) + 1 / m.sent
  const bounds: [number, number] = [Math.max(0, link.lossRate - halfWidth), link.lossRate + halfWidth]
  const lost = m.sent - m.received
  const ok = lossConsistent(lost, m.sent, link.lossRate, z) && m.delayLine.droppedQueue === 0
  const d = m.delayLine
  const detail = `${lost}/${m.sent} UDP datagrams lost A→B (delay line: ${d.droppedLoss} by loss draw, ${d.droppedQueue} by queue, ${d.droppedBuffer} by buffer of ${d.packetsIn})`
  return { target: link.lossRate, measured: m.lossRate, bounds, detail, measurement: m, ok }
}

/**
 * Measures an emulator's path and compares it with the link it should emulate: median RTT of UDP probes
 * (within `tolerance`), the rate delivered into B while the link is full (within `tolerance`; TCP load on a
 * loss-free link, UDP above the link rate otherwise, because TCP backs off on loss), and one-way UDP loss
 * (within a binomial bound: over 5000 datagrams the count spreads too much for a 10 % relative check).
 * Measurements run one after another; nothing else should use the emulator meanwhile.
 */
export async function validateEmulator(
  emulator: WanEmulator,
  profile: LinkParams & { name?: string },
  options: ValidationOptions = {},
): Promise<ValidationReport> {
  const checks: ValidationCheck[] = []
  for (const name of options.checks ?? ['loss', 'rtt', 'rate']) {
    if (name === 'rate' && (profile.rateBps === 0 || profile.rateBps > (options.maxRateBps ?? 2e9))) {
      const skipped = `rate ${profile.rateBps} bit/s is outside what this check drives (0 < rate <= maxRateBps)`
      checks.push({
        name,
        ok: true,
        skipped,
        target: profile.rateBps,
        measured: Number.NaN,
        bounds: [0, 0],
        detail: skipped,
      })
      continue
    }
    const result =
      name === 'rtt'
        ? await checkRtt(emulator, profile, options)
        : name === 'rate'
          ? await checkRate(emulator, profile, options)
          : await checkLoss(emulator, profile, options)
    const inBounds = result.measured >= result.bounds[0] && result.measured <= result.bounds[1]
    checks.push({ name, ...result, ok: 'ok' in result ? result.ok : inBounds })
  }
  return { profile: profile.name ?? 'custom', ok: checks.every((check) => check.ok), checks }
}

/** A report as aligned lines, one per check. */
export function formatValidationReport(report: ValidationReport): string {
  const lines = report.checks.map((check) => {
    const status = check.skipped !== undefined ? 'skip' : check.ok ? 'ok  ' : 'FAIL'
    return `  ${status} ${check.name.padEnd(4)} target ${check.target} in [${check.bounds.map((b) => Number(b.toPrecision(6))).join(', ')}]: ${check.detail}`
  })
  return [`${report.profile}: ${report.ok ? 'ok' : 'FAILED'}`, ...lines].join('\n')
}
