import type { Clock } from './clock.js'
import { Emitter } from './emitter.js'
import { InvalidArgumentError } from './errors.js'
import type { Mode, PathClass, PathSample } from './mode.js'

/**
 * Thresholds of the two path classes. Each boundary has an entry and an exit value: the gap between them is the
 * hysteresis band, inside which a path keeps its class.
 */
export interface ModeThresholds {
  /** A path can become `datacenter` only with smoothed RTT at or below this. @default 1 */
  datacenterEnterRttMs: number
  /** A `datacenter` path becomes `internet` when smoothed RTT rises above this. @default 2 */
  datacenterExitRttMs: number
  /** A path can become `datacenter` only with smoothed loss at or below this. @default 0.001 */
  datacenterEnterLossRate: number
  /** A `datacenter` path becomes `internet` when smoothed loss rises above this. @default 0.005 */
  datacenterExitLossRate: number
  /**
   * A path can become `datacenter` only with measured bandwidth at or above this (a sample with 0 bandwidth has
   * not measured it and is not judged on it). @default 1e9 (the top of the internet range, DESIGN.md §1)
   */
  datacenterEnterBandwidthBps: number
  /** A `datacenter` path becomes `internet` when measured bandwidth falls below this. @default 5e8 */
  datacenterExitBandwidthBps: number
}

/** Options of {@link ModeDetector}. */
export interface ModeDetectorOptions {
  /** Mode reported before any path is classified. @default 'internet' (assume the worse path until measured) */
  initialMode?: Mode
  /** Boundaries of the path classes. */
  thresholds?: Partial<ModeThresholds>
  /** Weight of a new sample in the exponentially weighted averages, 0 < α ≤ 1. @default 0.25 */
  smoothing?: number
  /** Consecutive samples that must point to a new class before a path changes class. @default 3 */
  confirmSamples?: number
  /**
   * Minimum time a path keeps a class after a change. The default keeps even a genuinely oscillating path under
   * the runbook's alert rate of 0.5 transitions per minute. @default 120000
   */
  minDwellMs?: number
  /**
   * Window of the round-trip time a path is judged by: the lowest sample of the window, as BBR's RTprop filter
   * keeps it. A loaded path's RTT includes its queues (pings wait behind bulk data), which says nothing about
   * how far away the peer is. @default 10000
   */
  rttWindowMs?: number
}

/** Why the mode changed. */
export type ModeTransitionCause = 'measured' | 'forced' | 'released' | 'peer-removed'

/** A change of the node's mode. */
export interface ModeTransition {
  /** Mode before. */
  from: Mode
  /** Mode after. */
  to: Mode
  /** Clock time of the change, in ms. */
  atMs: number
  /** What caused it. */
  cause: ModeTransitionCause
  /** The peer whose path change caused it, for `measured` and `peer-removed`. */
  peer?: string
}

/** A change of one peer path's class. */
export interface PathTransition {
  /** The peer. */
  peer: string
  /** Class before (`undefined` for the first classification). */
  from: PathClass | undefined
  /** Class after. */
  to: PathClass
  /** Clock time of the change, in ms. */
  atMs: number
}

/** Events of a {@link ModeDetector}. */
export interface ModeDetectorEvents {
  /** The node's mode changed. */
  transition: [transition: ModeTransition]
  /** One path changed class. */
  path: [transition: PathTransition]
}

/** Default thresholds (DESIGN.md §1: datacenter is RTT < ~1 ms, loss ~0, above the internet's 1 Gbit/s). */
export const DEFAULT_MODE_THRESHOLDS: Readonly<ModeThresholds> = Object.freeze({
  datacenterEnterRttMs: 1,
  datacenterExitRttMs: 2,
  datacenterEnterLossRate: 0.001,
  datacenterExitLossRate: 0.005,
  datacenterEnterBandwidthBps: 1e9,
  datacenterExitBandwidthBps: 5e8,
})

interface PathState {
  /** Lowest RTT of the window (see {@link ModeDetectorOptions.rttWindowMs}). */
  rttMs: number
  /** RTT samples of the window, oldest first; each later one is lower than those before it was added. */
  rttWindow: Array<{ atMs: number; rttMs: number }>
  lossRate: number
  bandwidthBps: number
  bandwidthMeasured: boolean
  current: PathClass | undefined
  candidate: PathClass | undefined
  candidateCount: number
  changedAtMs: number
}

/**
 * Classifies each peer path from live {@link PathSample}s as `datacenter` or `internet`, and the node as
 * `datacenter` (all paths datacenter), `internet` (all internet) or `hybrid` (both). Smoothing, a hysteresis
 * band, a confirmation count and a minimum dwell time keep a noisy path from flapping. A forced mode overrides
 * measurement until it is released; paths keep being classified meanwhile.
 */
export class ModeDetector extends Emitter<ModeDetectorEvents> {
  readonly #clock: Clock
  readonly #thresholds: ModeThresholds
  readonly #initialMode: Mode
  readonly #smoothing: number
  readonly #confirmSamples: number
  readonly #minDwellMs: number
  readonly #rttWindowMs: number
  readonly #paths = new Map<string, PathState>()
  #forced: Mode | undefined
  #mode: Mode

  constructor(clock: Clock, options: ModeDetectorOptions = {}) {
    super()
    this.#clock = clock
    this.#thresholds = { ...DEFAULT_MODE_THRESHOLDS, ...options.thresholds }
    this.#initialMode = options.initialMode ?? 'internet'
    this.#smoothing = options.smoothing ?? 0.25
    this.#confirmSamples = options.confirmSamples ?? 3
    this.#minDwellMs = options.minDwellMs ?? 120_000
    this.#rttWindowMs = options.rttWindowMs ?? 10_000
    validateOptions(this.#thresholds, this.#smoothing, this.#confirmSamples, this.#minDwellMs)
    if (!(this.#rttWindowMs >= 0)) throw new InvalidArgumentError('rttWindowMs', 'must be ≥ 0')
    this.#mode = this.#initialMode
  }

  /** The node's effective mode (the forced one while forced). */
  get mode(): Mode {
    return this.#mode
  }

  /** The forced mode, if any. */
  get forced(): Mode | undefined {
    return this.#forced
  }

  /** The mode measurement alone gives (ignores forcing). */
  get measuredMode(): Mode {
    const classes = new Set<PathClass>()
    for (const path of this.#paths.values()) if (path.current) classes.add(path.current)
    if (classes.size === 0) return this.#initialMode
    if (classes.size === 2) return 'hybrid'
    return classes.values().next().value as PathClass
  }

  /** The current class of one peer's path, if it has been classified. */
  pathClass(peer: string): PathClass | undefined {
    return this.#paths.get(peer)?.current
  }

  /** Feeds one sample of the path to `peer`. */
  observe(peer: string, sample: PathSample): void {
    if (!Number.isFinite(sample.rttMs) || sample.rttMs < 0)
      throw new InvalidArgumentError('rttMs', 'must be ≥ 0')
    if (!(sample.lossRate >= 0 && sample.lossRate <= 1))
      throw new InvalidArgumentError('lossRate', 'must be in 0..1')
    if (!Number.isFinite(sample.bandwidthBps) || sample.bandwidthBps < 0)
      throw new InvalidArgumentError('bandwidthBps', 'must be ≥ 0')
    const nowMs = this.#clock.now()
    let path = this.#paths.get(peer)
    if (!path) {
      path = {
        rttMs: sample.rttMs,
        rttWindow: [{ atMs: nowMs, rttMs: sample.rttMs }],
        lossRate: sample.lossRate,
        bandwidthBps: sample.bandwidthBps,
        // An application-limited first sample is a floor, not a measurement of the path's rate.
        bandwidthMeasured: sample.bandwidthBps > 0 && sample.appLimited !== true,
        current: undefined,
        candidate: undefined,
        candidateCount: 0,
        changedAtMs: nowMs,
      }
      this.#paths.set(peer, path)
    } else {
      const a = this.#smoothing
      path.rttMs = windowedMin(path.rttWindow, nowMs, sample.rttMs, this.#rttWindowMs)
      path.lossRate += a * (sample.lossRate - path.lossRate)
      // A sample taken while the sender had too little to send says the path carries at least that much, not
      // that it carries no more: it may raise a measured estimate, never lower it or stand for a measurement (a
      // quiet datacenter link stays one).
      const appLimited = sample.appLimited === true
      const counts = appLimited
        ? path.bandwidthMeasured && sample.bandwidthBps > path.bandwidthBps
        : sample.bandwidthBps > 0
      if (counts) {
        path.bandwidthBps = path.bandwidthMeasured
          ? path.bandwidthBps + a * (sample.bandwidthBps - path.bandwidthBps)
          : sample.bandwidthBps
        path.bandwidthMeasured = true
      }
    }
    const next = this.#classify(path)
    if (next === path.current) {
      path.candidate = undefined
      path.candidateCount = 0
      return
    }
    if (next === path.candidate) path.candidateCount++
    else {
      path.candidate = next
      path.candidateCount = 1
    }
    if (path.candidateCount < this.#confirmSamples) return
    if (path.current !== undefined && nowMs - path.changedAtMs < this.#minDwellMs) return
    const from = path.current
    path.current = next
    path.changedAtMs = nowMs
    path.candidate = undefined
    path.candidateCount = 0
    this.emit('path', { peer, from, to: next, atMs: nowMs })
    this.#update('measured', peer)
  }

  /** Stops tracking a peer (its session closed). */
  forget(peer: string): void {
    if (this.#paths.delete(peer)) this.#update('peer-removed', peer)
  }

  /** Forces the node's mode until {@link release} is called. */
  force(mode: Mode): void {
    this.#forced = mode
    this.#update('forced')
  }

  /** Releases a forced mode: measurement decides again. */
  release(): void {
    if (this.#forced === undefined) return
    this.#forced = undefined
    this.#update('released')
  }

  #classify(path: PathState): PathClass {
    const t = this.#thresholds
    if (path.current === 'datacenter') {
      const leaves =
        path.rttMs > t.datacenterExitRttMs ||
        path.lossRate > t.datacenterExitLossRate ||
        (path.bandwidthMeasured && path.bandwidthBps < t.datacenterExitBandwidthBps)
      return leaves ? 'internet' : 'datacenter'
    }
    const enters =
      path.rttMs <= t.datacenterEnterRttMs &&
      path.lossRate <= t.datacenterEnterLossRate &&
      (!path.bandwidthMeasured || path.bandwidthBps >= t.datacenterEnterBandwidthBps)
    return enters ? 'datacenter' : 'internet'
  }

  #update(cause: ModeTransitionCause, peer?: string): void {
    const next = this.#forced ?? this.measuredMode
    if (next === this.#mode) return
    const transition: ModeTransition = { from: this.#mode, to: next, atMs: this.#clock.now(), cause }
    if (peer !== undefined) transition.peer = peer
    this.#mode = next
    this.emit('transition', transition)
  }
}

function validateOptions(t: ModeThresholds, smoothing: number, confirm: number, dwellMs: number): void {
  if (!(smoothing > 0 && smoothing <= 1)) throw new InvalidArgumentError('smoothing', 'must be in (0, 1]')
  if (!Number.isInteger(confirm) || confirm < 1)
    throw new InvalidArgumentError('confirmSamples', 'must be an integer ≥ 1')
  if (!(dwellMs >= 0)) throw new InvalidArgumentError('minDwellMs', 'must be ≥ 0')
  if (t.datacenterExitRttMs < t.datacenterEnterRttMs)
    throw new InvalidArgumentError('thresholds', 'datacenterExitRttMs must be ≥ datacenterEnterRttMs')
  if (t.datacenterExitLossRate < t.datacenterEnterLossRate)
    throw new InvalidArgumentError('thresholds', 'datacenterExitLossRate must be ≥ datacenterEnterLossRate')
  if (t.datacenterExitBandwidthBps > t.datacenterEnterBandwidthBps)
    throw new InvalidArgumentError(
      'thresholds',
      'datacenterExitBandwidthBps must be ≤ datacenterEnterBandwidthBps',
    )
}

/**
 * Adds a sample to a windowed-minimum filter and returns the window's minimum. The window is kept as a
 * monotonic queue: a new sample drops every older sample that is not lower, so the head is the minimum.
 */
function windowedMin(
  window: Array<{ atMs: number; rttMs: number }>,
  nowMs: number,
  rttMs: number,
  windowMs: number,
): number {
  while (window.length > 0 && (window[window.length - 1] as { rttMs: number }).rttMs >= rttMs) window.pop()
  window.push({ atMs: nowMs, rttMs })
  while (window.length > 1 && nowMs - (window[0] as { atMs: number }).atMs > windowMs) window.shift()
  return (window[0] as { rttMs: number }).rttMs
}
