import {
  AbortedError,
  type Counter,
  type DwcpError,
  type Histogram,
  InvalidArgumentError,
  isDwcpError,
  METRIC_NAMES,
  type Prediction,
  type Predictor,
  type PredictorAccuracy,
  type PredictorComponents,
} from '@dwcp/core'
import { AccuracyWindow } from '../accuracy-window.js'
import { harmonicMeanPredictor } from '../harmonic-mean-predictor.js'
import type { GruRuntime, GruRuntimeChoice } from '../model/model-runtime.js'
import { bandwidthBpsFromLog, FeatureExtractor } from '../training/features.js'
import { MODE_TRAINING, type ModelMode } from '../training/modes.js'
import { assertValidSample, positiveDuration, windowSize } from '../validation.js'
import { type ForecastModel, loadForecastModel } from './forecast-model.js'
import { type InferenceJob, InferenceQueue } from './inference-queue.js'
import { refitModelBytes } from './refit.js'
import { SampleLog } from './sample-log.js'

/** Options of {@link onnxPredictor}. */
export interface OnnxPredictorInit {
  /** A shipped model (`internet`: history 60, `datacenter`: history 10) or the bytes of a model file. */
  model: ModelMode | Uint8Array
  /** Name reported as `model`. @default the mode name, or `onnx` for bytes */
  name?: string
  /** How long a forecast stays valid after the observation it is based on, in ms. @default 1000 */
  horizonMs?: number
  /** Scored forecasts that `accuracy()` and `confidence` cover (1..100 000). @default 100 */
  accuracyWindow?: number
  /** Samples kept for the model's input and for `retrain()` (1..100 000). @default 3600 */
  collectSamplesMax?: number
  /** Wall clock in Unix ms, for the time-of-day features and model file dates. @default Date.now */
  wallClock?: { now(): number }
  /**
   * What runs the model: `auto` takes onnxruntime when the host installed the optional peer dependency
   * `onnxruntime-node`, and the TypeScript forward pass otherwise (the same model, within float32 rounding);
   * `onnxruntime` falls back to the harmonic mean without it. @default 'auto'
   */
  runtime?: GruRuntimeChoice
}

/** Options of {@link OnnxPredictor.retrain}. */
export interface RetrainOptions {
  /** Seed of the refit. @default 1 */
  seed?: number
  /** Passes over the collected windows, at most. @default 6 */
  epochs?: number
  /**
   * Largest number of windows trained on. The fit runs on the calling thread, and its time grows with
   * windows × epochs × history: with the defaults it blocks for up to about 4 s with the internet model's 60
   * steps (measured 1.8 s when early stopping ended it after 3 epochs) and 0.5 s with the datacenter model's
   * 10, on one core. @default 800
   */
  examplesMax?: number
  /** Fewest measured samples accepted. @default historySteps + 60 */
  samplesMin?: number
  /** GRU hidden units. @default the mode's (24 internet, 16 datacenter) */
  hiddenSize?: number
  /**
   * Steps of history of the new model. @default the current model's; with none loaded (a fallback), the
   * mode's (60 for `internet` and for model bytes that never loaded, 10 for `datacenter`)
   */
  historySteps?: number
  /** Cancels the retrain; the current model stays. */
  signal?: AbortSignal
}

/** What {@link OnnxPredictor.retrain} did. */
export interface RetrainResult {
  /** Samples the fit drew on. */
  samples: number
  /** Training windows. */
  windows: number
  /** Epochs run. */
  epochs: number
  /** The new model's file: persist it and pass it back as `model` to start from it next time. */
  bytes: Uint8Array
}

/** State of an {@link OnnxPredictor}'s model. */
export interface OnnxPredictorHealth {
  /** `loading` until the model is ready; `fallback` when it failed and the harmonic mean serves instead. */
  status: 'loading' | 'ready' | 'fallback'
  /** Which runtime computes the model's forecasts, when `ready`. */
  runtime?: GruRuntime
  /** Why `auto` runs the TypeScript forward pass rather than onnxruntime, when it does. */
  runtimeReason?: string
  /** Why the predictor fell back, when it did. */
  reason?: string
  /** The typed error behind the fallback. */
  error?: DwcpError
}

/** A {@link Predictor} backed by an ONNX model, with a harmonic-mean fallback and online refitting. */
export interface OnnxPredictor extends Predictor {
  /** Resolves once the model has loaded or the predictor has fallen back; never rejects. */
  readonly ready: Promise<OnnxPredictorHealth>
  /** Current state of the model. */
  health(): OnnxPredictorHealth
  /** Why the predictor serves the harmonic-mean fallback, or undefined when it does not. */
  readonly fallbackReason: string | undefined
  /** Resolves when no forecast is being computed or queued. */
  settled(): Promise<void>
  /** Refits the model on the samples this predictor collected and swaps it in atomically. */
  retrain(options?: RetrainOptions): Promise<RetrainResult>
  /** Releases the model; the predictor then serves the fallback only (`health()` says `closed`). */
  close(): Promise<void>
}

/** Harmonic-mean window of the fallback, as in MPC. */
const FALLBACK_WINDOW = 5

/**
 * A predictor that runs a GRU model file, through onnxruntime when the host installed it and through the
 * TypeScript forward pass otherwise (`health().runtime` says which). `predict()` is synchronous and inference
 * is not, so every `observe()` schedules a forecast for the next interval and `predict()` returns the latest
 * finished one.
 * Until the model has loaded and `historySteps` samples are in, and for good if the model fails to load (the
 * reason is logged and reported by `health()`), it serves the harmonic mean of the last 5 samples.
 * RTT, loss and jitter always come from the fallback's EWMAs: the model forecasts throughput only.
 *
 * @example
 * ```ts
 * import { silentLogger, systemClock } from '@dwcp/core'
 * import { onnxPredictor } from '@dwcp/pba'
 *
 * const predictor = onnxPredictor({ model: 'internet' })({ clock: systemClock(), logger: silentLogger() })
 * console.log(await predictor.ready) // { status: 'ready', runtime: 'onnxruntime' } or runtime: 'typescript'
 * ```
 */
export function onnxPredictor(init: OnnxPredictorInit): (components: PredictorComponents) => OnnxPredictor {
  const horizonMs = positiveDuration('horizonMs', init.horizonMs ?? 1000)
  const accuracyWindow = windowSize('accuracyWindow', init.accuracyWindow ?? 100)
  const collectSamplesMax = windowSize('collectSamplesMax', init.collectSamplesMax ?? 3600)
  if (typeof init.model !== 'string' && !(init.model instanceof Uint8Array))
    throw new InvalidArgumentError('model', "must be 'internet', 'datacenter' or the bytes of a model file")
  if (typeof init.model === 'string' && !(init.model in MODE_TRAINING))
    throw new InvalidArgumentError('model', `must be 'internet' or 'datacenter', got ${init.model}`)
  const name = init.name ?? (typeof init.model === 'string' ? init.model : 'onnx')
  const runtime = init.runtime ?? 'auto'
  if (!['auto', 'onnxruntime', 'typescript'].includes(runtime))
    throw new InvalidArgumentError(
      'runtime',
      `must be 'auto', 'onnxruntime' or 'typescript', got ${String(runtime)}`,
    )
  const wallClock = init.wallClock ?? { now: () => Date.now() }

  return (components) => {
    const { clock, metrics } = components
    const logger = components.logger.child({ component: 'pba', model: name })
    const labels = { model: name }
    const latency: Histogram | undefined = metrics?.histogram(METRIC_NAMES.pbaPredictionLatency)
    const accuracyGauge = metrics?.gauge(METRIC_NAMES.pbaPredictionAccuracy)
    const window = new AccuracyWindow(accuracyWindow)
    const fallback = harmonicMeanPredictor({ window: FALLBACK_WINDOW, horizonMs })({ clock, logger })
    const log = new SampleLog(collectSamplesMax)
    const extractor = new FeatureExtractor()
    let mode: ModelMode | undefined = typeof init.model === 'string' ? init.model : undefined
    let model: ForecastModel | undefined
    let health: OnnxPredictorHealth = { status: 'loading' }
    let forecast: { bandwidthBps: number; observedAtMs: number } | undefined
    let observedAtMs: number | undefined
    let retraining: Promise<RetrainResult> | undefined
    let closed = false

    const counterOf = (m: ModelMode | undefined): Counter | undefined =>
      m === 'internet'
        ? metrics?.counter(METRIC_NAMES.pbaInternetPredictions)
        : m === 'datacenter'
          ? metrics?.counter(METRIC_NAMES.pbaDatacenterPredictions)
          : undefined

    const fallBack = (reason: string, error: DwcpError): void => {
      health = { status: 'fallback', reason, error }
      forecast = undefined
      logger.warn({ reason, code: error.code }, 'model unavailable: serving the harmonic-mean fallback')
    }

    const queue = new InferenceQueue(async (job: InferenceJob<ForecastModel>) => {
      const startedMs = clock.now()
      let logMbps: number
      try {
        logMbps = await job.model.forecastLogMbps(job.rows)
      } catch (error) {
        if (job.model !== model) return // a model swapped out meanwhile; its failure no longer matters
        const typed = isDwcpError(error)
          ? error
          : new InvalidArgumentError(
              'model',
              `inference failed: ${error instanceof Error ? error.message : error}`,
            )
        fallBack(`inference failed: ${typed.message}`, typed)
        model = undefined
        await job.model.dispose()
        return
      }
      latency?.observe((clock.now() - startedMs) / 1000, labels)
      // A forecast from a model swapped out while it ran is dropped: after a swap only the new model speaks.
      if (job.model !== model || !Number.isFinite(logMbps)) return
      forecast = { bandwidthBps: bandwidthBpsFromLog(logMbps), observedAtMs: job.observedAtMs }
    })

    const schedule = (): void => {
      if (!model || observedAtMs === undefined) return
      const rows = log.tail(model.historySteps)
      if (rows) queue.submit({ model, rows, observedAtMs })
    }

    const install = (next: ForecastModel): void => {
      const previous = model
      model = next
      mode = next.mode
      health = {
        status: 'ready',
        runtime: next.runtime,
        ...(next.runtimeReason === undefined ? {} : { runtimeReason: next.runtimeReason }),
      }
      // The previous model finishes whatever it is running (its result is dropped), then goes.
      if (previous) void queue.settled().then(() => previous.dispose())
      schedule()
    }

    const ready = loadForecastModel(init.model, runtime).then(
      (loaded) => {
        if (closed) return void loaded.dispose()
        install(loaded)
        const { historySteps, runtime: served, runtimeReason } = loaded
        logger.info({ historySteps, mode: loaded.mode, runtime: served, runtimeReason }, 'model loaded')
      },
      (error: unknown) => {
        const typed = isDwcpError(error) ? error : new InvalidArgumentError('model', String(error))
        fallBack(typed.message, typed)
      },
    )

    const currentForecastBps = (): number => forecast?.bandwidthBps ?? fallback.predict().bandwidthBps

    const predictor: OnnxPredictor = {
      model: name,
      ready: ready.then(() => predictor.health()),
      get fallbackReason() {
        return health.status === 'fallback' ? health.reason : undefined
      },
      health: () => ({ ...health }),
      observe(sample) {
        assertValidSample(sample)
        if (observedAtMs !== undefined) {
          const outstandingBps = currentForecastBps()
          if (outstandingBps > 0 && window.record(outstandingBps, sample.bandwidthBps))
            accuracyGauge?.set(window.confidence(), labels)
        }
        fallback.observe(sample)
        const timeOfDaySeconds = init.wallClock ? (wallClock.now() / 1000) % 86_400 : undefined
        const row = extractor.next({ ...sample, timeOfDaySeconds })
        if (row) log.push(row, sample.bandwidthBps > 0)
        observedAtMs = clock.now()
        schedule()
      },
      predict(): Prediction {
        if (observedAtMs === undefined)
          throw new InvalidArgumentError('observations', 'predict() needs at least one observed sample')
        const base = fallback.predict()
        const served = forecast ?? { bandwidthBps: base.bandwidthBps, observedAtMs }
        const servedBy = forecast ? name : base.model
        // No labels: the counter's name already says which model family predicted, the runbook defines it
        // without labels and the dashboard sums it whole. Whether the fallback served is in `model` below.
        counterOf(mode)?.inc()
        return {
          bandwidthBps: served.bandwidthBps,
          rttMs: base.rttMs,
          lossRate: base.lossRate,
          jitterMs: base.jitterMs,
          confidence: window.confidence(),
          validUntil: served.observedAtMs + horizonMs,
          model: servedBy,
        }
      },
      accuracy(): PredictorAccuracy {
        return window.snapshot()
      },
      settled: () => queue.settled(),
      retrain(options = {}) {
        retraining ??= retrainOnce(options).finally(() => {
          retraining = undefined
        })
        return retraining
      },
      async close() {
        closed = true
        const current = model
        model = undefined
        forecast = undefined
        health = { status: 'fallback', reason: 'closed' }
        await queue.settled()
        await current?.dispose()
      },
    }

    async function retrainOnce(options: RetrainOptions): Promise<RetrainResult> {
      const { signal } = options
      await ready
      if (signal?.aborted) throw new AbortedError(signal.reason)
      const modeNow = mode ?? 'internet'
      const historySteps = windowSize(
        'historySteps',
        options.historySteps ?? model?.historySteps ?? MODE_TRAINING[modeNow].historySteps,
      )
      const refit = refitModelBytes(log.toSeries(), {
        mode: modeNow,
        historySteps,
        hiddenSize: options.hiddenSize ?? MODE_TRAINING[modeNow].hiddenSize,
        seed: options.seed ?? 1,
        epochs: options.epochs ?? 6,
        examplesMax: options.examplesMax ?? 800,
        samplesMin: options.samplesMin ?? historySteps + 60,
        createdAt: new Date(wallClock.now()).toISOString(),
      })
      const next = await loadForecastModel(refit.bytes, runtime)
      if (signal?.aborted || closed) {
        await next.dispose()
        throw new AbortedError(signal?.reason ?? 'predictor closed')
      }
      install(next)
      logger.info({ samples: refit.samples, windows: refit.windows }, 'model refitted and swapped in')
      return {
        samples: refit.samples,
        windows: refit.windows,
        epochs: refit.history.length,
        bytes: refit.bytes,
      }
    }

    return predictor
  }
}
