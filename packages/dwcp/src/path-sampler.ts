import {
  type Clock,
  InvalidArgumentError,
  type Logger,
  type Metrics,
  type ModeDetector,
  type PathClass,
  type Prediction,
  type Predictor,
  type PredictorFactory,
  recordError,
  type Session,
  type TimerHandle,
} from '@dwcp/core'
import { isPacingHeld } from './pacing-holds.js'
import { applyPathSettings, pathSettings } from './path-policy.js'

/** What the sampler needs from its node. */
export interface PathSamplerDeps {
  clock: Clock
  logger: Logger
  metrics: Metrics | undefined
  detector: ModeDetector
  predictorFactory: PredictorFactory
  sampleIntervalMs: number
  /** Whether internet paths are paced at all. */
  pacing: boolean
  /** Connected peers. */
  peers: () => string[]
  /** The open session to `peer` (the one the node sends on). */
  session: (peer: string) => Session | undefined
  /** Every open session to `peer`. */
  sessionsOf: (peer: string) => Iterable<Session>
}

/**
 * Samples every peer's path at a fixed interval into the mode detector and the peer's predictor, and in hybrid
 * mode keeps each path's sessions on its class's settings: taken when the detector (re)classifies the path,
 * with the pacing of internet paths following the forecast at every sample.
 */
export class PathSampler {
  readonly #deps: PathSamplerDeps
  readonly #predictors = new Map<string, Predictor>()
  #timer: TimerHandle | undefined
  #running = false

  constructor(deps: PathSamplerDeps) {
    this.#deps = deps
  }

  /** Starts sampling. */
  start(): void {
    this.#running = true
    this.#schedule()
  }

  /** Stops sampling and releases every predictor. */
  async stop(): Promise<void> {
    this.#running = false
    if (this.#timer) this.#deps.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    await Promise.all([...this.#predictors.values()].map((p) => closePredictor(p)))
    this.#predictors.clear()
  }

  /** The predictors serving now, one per measured peer. */
  predictors(): Predictor[] {
    return [...this.#predictors.values()]
  }

  /** Forgets a peer whose last session closed. */
  forget(peer: string): void {
    const predictor = this.#predictors.get(peer)
    if (predictor) void closePredictor(predictor)
    this.#predictors.delete(peer)
    this.#deps.detector.forget(peer)
  }

  /** The latest forecast of the path to `peer`; DWCP_ERR_INVALID_ARGUMENT before its first measured sample. */
  predict(peer: string): Prediction {
    const predictor = this.#predictors.get(peer)
    if (!predictor) throw new InvalidArgumentError('peer', `no samples of the path to ${peer} yet`)
    return predictor.predict()
  }

  /**
   * The latest forecast of the path to `peer`, or undefined before its first measured sample. A predictor that
   * fails is a fault, not "no forecast yet": it is logged and counted in `dwcp_errors_total{component="pba"}`.
   */
  tryPredict(peer: string): Prediction | undefined {
    const predictor = this.#predictors.get(peer)
    if (!predictor) return undefined
    try {
      return predictor.predict()
    } catch (error) {
      this.#fault('predict', peer, error)
      return undefined
    }
  }

  /**
   * The path's forecast bandwidth in bits per second: the predictor's when it has samples, else the session's
   * latest measurement; undefined while nothing was measured.
   */
  forecastBps(peer: string): number | undefined {
    const forecast = this.tryPredict(peer)?.bandwidthBps ?? 0
    if (forecast > 0) return forecast
    const measured = this.#deps.session(peer)?.sample().bandwidthBps ?? 0
    return measured > 0 ? measured : undefined
  }

  /** Puts the sessions to `peer` on the settings of its path class (hybrid mode only). */
  applyClass(peer: string, pathClass: PathClass): void {
    if (this.#deps.detector.mode !== 'hybrid') return
    const settings = pathSettings(pathClass, this.forecastBps(peer), this.#deps.pacing)
    for (const session of this.#deps.sessionsOf(peer)) applyPathSettings(session, settings, this.#deps.logger)
    this.#deps.logger.info({ peer, ...settings }, 'path settings applied')
  }

  #schedule(): void {
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#sample()
      if (this.#running) this.#schedule()
    }, this.#deps.sampleIntervalMs)
  }

  /** Feeds each peer's latest path sample to the mode detector and to the peer's predictor. */
  #sample(): void {
    const { detector } = this.#deps
    for (const peer of this.#deps.peers()) {
      const session = this.#deps.session(peer)
      if (!session) continue
      const sample = session.sample()
      if (sample.rttMs <= 0 && sample.bandwidthBps <= 0) continue // nothing measured yet
      try {
        detector.observe(peer, sample)
        if (sample.bandwidthBps > 0) this.#predictorOf(peer).observe(sample) // idle says nothing of throughput
      } catch (error) {
        // One bad sample or a failing predictor must not stop sampling for every peer.
        this.#fault('observe', peer, error)
        continue
      }
      // An internet path's pacing follows its forecast.
      if (this.#deps.pacing && detector.mode === 'hybrid' && detector.pathClass(peer) === 'internet') {
        const settings = pathSettings('internet', this.forecastBps(peer), true)
        for (const open of this.#deps.sessionsOf(peer)) {
          // A migration running on the session paces it itself, and restores this rate when it ends.
          if (isPacingHeld(open)) continue
          const pacing = open as Session & { setPacingRate?: (rateBps: number) => void }
          if (settings.pacingRateBps > 0) pacing.setPacingRate?.(settings.pacingRateBps)
        }
      }
    }
  }

  #fault(operation: string, peer: string, error: unknown): void {
    recordError(this.#deps.metrics, 'pba', error)
    this.#deps.logger.warn({ peer, operation, error: String(error) }, 'path prediction failed')
  }

  #predictorOf(peer: string): Predictor {
    let predictor = this.#predictors.get(peer)
    if (!predictor) {
      const { clock, logger, metrics } = this.#deps
      predictor = this.#deps.predictorFactory({ clock, logger, ...(metrics ? { metrics } : {}) })
      this.#predictors.set(peer, predictor)
    }
    return predictor
  }
}

/** Releases what a predictor holds (an onnxruntime session, for the learned ones); core's Predictor has no close. */
async function closePredictor(predictor: Predictor): Promise<void> {
  const closable = predictor as Predictor & { close?: () => Promise<void> }
  await closable.close?.().catch(() => {})
}
