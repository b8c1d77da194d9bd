/**
 * @packageDocumentation
 * Predictive bandwidth allocation (PBA): forecasts of a peer path (bandwidth, RTT, loss, jitter) that the
 * transport and the codecs plan with. This release holds the baseline predictors: last value, EWMA and the
 * harmonic mean of MPC/Pensieve. Each is a factory of core's `Predictor` in the two-step style and scores its
 * own forecasts against what it later observes. The learned models (GRUs run through onnxruntime when the host
 * installed it, else through the TypeScript forward pass) are `onnxPredictor`, and hybrid mode combines
 * predictors with `ensemblePredictor`.
 *
 * @example
 * ```ts
 * import { manualClock, silentLogger } from '@dwcp/core'
 * import { harmonicMeanPredictor } from '@dwcp/pba'
 *
 * const clock = manualClock()
 * const predictor = harmonicMeanPredictor({ window: 5 })({ clock, logger: silentLogger() })
 * for (const mbps of [1, 2, 4]) {
 *   const bandwidthBps = mbps * 1e6
 *   predictor.observe({ at: clock.now(), rttMs: 40, bandwidthBps, lossRate: 0, jitterMs: 2, rdma: false })
 *   clock.advance(1000)
 * }
 * const { bandwidthBps, confidence, validUntil } = predictor.predict()
 * // 3 / (1/1 + 1/2 + 1/4) Mbit/s ≈ 1714286 bit/s; confidence = 1 − MAPE of the two scored forecasts ≈ 0.417;
 * // validUntil = now (3000) + horizonMs (1000) = 4000
 * console.log(bandwidthBps, confidence, validUntil)
 * console.log(predictor.accuracy()) // { samples: 2, meanAbsolutePercentageError: 0.583…, accuracy: 0.416… }
 * ```
 */
export { AccuracyWindow } from './accuracy-window.js'
export type { BaselinePredictorInit } from './baseline-predictor.js'
export { type EwmaPredictorInit, ewmaPredictor } from './ewma-predictor.js'
export { type HarmonicMeanPredictorInit, harmonicMeanPredictor } from './harmonic-mean-predictor.js'
export { type LastValuePredictorInit, lastValuePredictor } from './last-value-predictor.js'
export * from './model/index.js'
export * from './onnx-predictor/index.js'
export * from './training/index.js'
