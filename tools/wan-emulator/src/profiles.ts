import { InvalidArgumentError } from '@dwcp/core'

/**
 * What the emulated path between the two namespaces does to every packet. Delay, jitter, loss and rate apply
 * to each direction separately: a round trip sees the one-way delay twice and the loss rate twice.
 */
export interface LinkParams {
  /** Round-trip time added by the path; each direction delays packets by `rttMs / 2`. */
  rttMs: number
  /**
   * Jitter per direction: the one-way delay varies by up to ±`jitterMs` (uniform) or with this standard
   * deviation (normal). Packets never overtake each other, so large jitter also stretches the delay.
   * @default 0
   */
  jitterMs: number
  /** Probability in [0, 1) that a packet is dropped, drawn independently per packet and per direction. */
  lossRate: number
  /** Bottleneck rate in bits per second, counted over whole IP packets; 0 means unlimited. */
  rateBps: number
  /** Drop-tail limit of the bottleneck queue in bytes (packets waiting to be serialised at `rateBps`). */
  queueBytes: number
}

/** A named set of {@link LinkParams}. */
export interface WanProfile extends LinkParams {
  /** Name used in reports and `pnpm bench amst --profile NAME`. */
  name: string
  /** One line for humans. */
  description: string
}

/** Names of the built-in profiles. */
export type ProfileName = 'lan' | 'wan50' | 'wan100loss1' | 'wan200loss2'

/** Bandwidth-delay product in bytes: what the path holds in flight at full rate. */
export function bdpBytes(rateBps: number, rttMs: number): number {
  return Math.round((rateBps * rttMs) / 1000 / 8)
}

/** Queue used when none is given: one bandwidth-delay product, at least 64 KiB (4 MiB when unlimited). */
export function defaultQueueBytes(rateBps: number, rttMs: number): number {
  if (rateBps === 0) return 4 << 20
  return Math.max(64 << 10, bdpBytes(rateBps, rttMs))
}

function profile(name: ProfileName, description: string, link: Omit<LinkParams, 'queueBytes'>): WanProfile {
  return { name, description, ...link, queueBytes: defaultQueueBytes(link.rateBps, link.rttMs) }
}

/**
 * The built-in profiles. Queues hold one bandwidth-delay product (`lan`: 4 MiB), a common router sizing
 * that lets one TCP flow fill the link.
 */
export const PROFILES: Readonly<Record<ProfileName, Readonly<WanProfile>>> = Object.freeze({
  lan: profile('lan', 'same rack: no added delay or loss, 10 Gbit/s', {
    rttMs: 0,
    jitterMs: 0,
    lossRate: 0,
    rateBps: 10e9,
  }),
  wan50: profile('wan50', 'nearby region: 50 ms RTT, 1 Gbit/s, no loss', {
    rttMs: 50,
    jitterMs: 0,
    lossRate: 0,
    rateBps: 1e9,
  }),
  wan100loss1: profile('wan100loss1', 'cross-continent: 100 ms RTT, 1 % loss, 1 Gbit/s', {
    rttMs: 100,
    jitterMs: 0,
    lossRate: 0.01,
    rateBps: 1e9,
  }),
  wan200loss2: profile('wan200loss2', 'intercontinental, congested: 200 ms RTT, 2 % loss, 100 Mbit/s', {
    rttMs: 200,
    jitterMs: 0,
    lossRate: 0.02,
    rateBps: 100e6,
  }),
})

/** Custom link values; what is left out takes the documented default. */
export interface CustomLink {
  /** Round-trip time in milliseconds, split evenly into the two one-way delays. */
  rttMs: number
  /** Bottleneck rate in bits per second; 0 means unlimited. */
  rateBps: number
  /** @default 0 */
  jitterMs?: number
  /** @default 0 */
  lossRate?: number
  /** @default one bandwidth-delay product, at least 64 KiB ({@link defaultQueueBytes}) */
  queueBytes?: number
}

/** Upper bounds that keep a typo from asking for an hour of delay or a gigabyte of queue. */
const LIMITS = { rttMs: 60_000, jitterMs: 10_000, rateBps: 400e9, queueBytes: 1 << 30 }

function check(name: string, value: number, ok: boolean, domain: string): void {
  if (!Number.isFinite(value) || !ok) throw new InvalidArgumentError(name, `${value} is outside ${domain}`)
}

/**
 * Resolves a profile name, a profile object or custom values into checked {@link LinkParams}.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for an unknown profile or a value out of range
 */
export function resolveLink(spec: ProfileName | LinkParams | CustomLink): WanProfile {
  if (typeof spec === 'string') {
    const known = (PROFILES as Record<string, WanProfile>)[spec]
    if (known === undefined) {
      throw new InvalidArgumentError('profile', `unknown profile '${spec}' (known: ${Object.keys(PROFILES)})`)
    }
    return { ...known }
  }
  const link: LinkParams = {
    rttMs: spec.rttMs,
    rateBps: spec.rateBps,
    jitterMs: spec.jitterMs ?? 0,
    lossRate: spec.lossRate ?? 0,
    queueBytes: spec.queueBytes ?? defaultQueueBytes(spec.rateBps, spec.rttMs),
  }
  check('rttMs', link.rttMs, link.rttMs >= 0 && link.rttMs <= LIMITS.rttMs, `[0, ${LIMITS.rttMs}]`)
  check('jitterMs', link.jitterMs, link.jitterMs >= 0 && link.jitterMs <= LIMITS.jitterMs, '[0, 10000]')
  check('lossRate', link.lossRate, link.lossRate >= 0 && link.lossRate < 1, '[0, 1)')
  check('rateBps', link.rateBps, link.rateBps >= 0 && link.rateBps <= LIMITS.rateBps, '[0, 400e9]')
  check(
    'queueBytes',
    link.queueBytes,
    Number.isInteger(link.queueBytes) && link.queueBytes >= 1500 && link.queueBytes <= LIMITS.queueBytes,
    'integers in [1500, 1 GiB]',
  )
  const named = spec as Partial<WanProfile>
  return {
    name: named.name ?? 'custom',
    description: named.description ?? describeLink(link),
    ...link,
  }
}

/** A one-line summary such as `rtt 80 ms ±2 ms, loss 0.5 %, 500 Mbit/s, queue 5000000 B`. */
export function describeLink(link: LinkParams): string {
  const rate = link.rateBps === 0 ? 'unlimited' : `${link.rateBps / 1e6} Mbit/s`
  const jitter = link.jitterMs > 0 ? ` ±${link.jitterMs} ms` : ''
  return `rtt ${link.rttMs} ms${jitter}, loss ${link.lossRate * 100} %, ${rate}, queue ${link.queueBytes} B`
}

/** One-way delays in nanoseconds: the RTT split evenly between the two directions. */
export function oneWayDelayNs(link: LinkParams): { aToBNs: number; bToANs: number } {
  const totalNs = Math.round(link.rttMs * 1e6)
  const aToBNs = Math.floor(totalNs / 2)
  return { aToBNs, bToANs: totalNs - aToBNs }
}
