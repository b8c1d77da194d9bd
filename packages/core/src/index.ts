/**
 * @packageDocumentation
 * The contracts of DWCP: modes and path samples, the interfaces every implementation package fulfils
 * (Transport, Session, Codec, Predictor, Replicator, Consensus, Metrics, Logger, Clock, Startable), typed
 * errors with stable codes, and the mode detector. It imports no implementation.
 *
 * @example
 * ```ts
 * import { ModeDetector, systemClock } from '@dwcp/core'
 *
 * const detector = new ModeDetector(systemClock(), { initialMode: 'internet' })
 * detector.on('transition', (t) => console.log(`${t.from} -> ${t.to} (${t.cause})`))
 * detector.observe('peer-a', { at: 0, rttMs: 0.2, bandwidthBps: 2.5e10, lossRate: 0, jitterMs: 0.01, rdma: true })
 * ```
 */
export * from './abort.js'
export * from './clock.js'
export * from './codec.js'
export * from './consensus.js'
export * from './crc32c.js'
export * from './emitter.js'
export * from './errors.js'
export * from './lifecycle.js'
export * from './logger.js'
export * from './metric-definitions.js'
export * from './metric-validation.js'
export * from './metrics.js'
export * from './mode.js'
export * from './mode-detector.js'
export * from './predictor.js'
export * from './random.js'
export { recordError, UNEXPECTED_ERROR_CODE } from './record-error.js'
export * from './replicator.js'
export * from './transfer-helpers.js'
export * from './transport.js'
