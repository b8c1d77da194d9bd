import { type Random, seededRandom } from '@dwcp/core'
import type { GruWeights } from './gru-model.js'
import type { GruSample } from './gru-trainer.js'
import type { GruModelMetadata } from './model-metadata.js'
import type { FeatureNormalization } from './normalization.js'

/** Helpers shared by the model's tests (not exported from the package). */

/** A float in [-scale, scale). */
export function uniform(random: Random, scale: number): number {
  return (random.next() * 2 - 1) * scale
}

/**
 * Float32 weights uniform in ±`scale`, head included: larger than the trainer's initialisation so the gates
 * leave their linear region and a test exercises the nonlinearities.
 */
export function randomWeights(inputSize: number, hiddenSize: number, seed: number, scale = 0.8): GruWeights {
  const random = seededRandom(seed)
  const array = (length: number) => Float32Array.from({ length }, () => uniform(random, scale))
  const gates = 3 * hiddenSize
  return {
    inputSize,
    hiddenSize,
    W: array(gates * inputSize),
    R: array(gates * hiddenSize),
    Wb: array(gates),
    Rb: array(gates),
    headW: array(hiddenSize),
    headB: Math.fround(uniform(random, scale)),
  }
}

/** T steps of F features uniform in ±`scale`. */
export function randomSequence(steps: number, features: number, random: Random, scale = 1.5): Float32Array[] {
  return Array.from({ length: steps }, () =>
    Float32Array.from({ length: features }, () => uniform(random, scale)),
  )
}

/**
 * Windows of a noisy sine (period 16 steps, noise σ ≈ `noise`) with random phases: features are the noisy
 * value and its change from the step before; the target is the next noisy value.
 */
export function noisySineDataset(count: number, steps: number, seed: number, noise = 0.1): GruSample[] {
  const random = seededRandom(seed)
  // Sum of 4 uniforms ≈ Gaussian with variance 4/12 per unit: scale to σ = noise.
  const gaussian = () =>
    (random.next() + random.next() + random.next() + random.next() - 2) * Math.sqrt(3) * noise
  const omega = (2 * Math.PI) / 16
  return Array.from({ length: count }, () => {
    const phase = random.next() * 2 * Math.PI
    const values = Array.from({ length: steps + 2 }, (_, t) => Math.sin(phase + omega * t) + gaussian())
    const sequence = Array.from({ length: steps }, (_, t) =>
      Float32Array.of(values[t + 1]!, values[t + 1]! - values[t]!),
    )
    return { sequence, target: values[steps + 1]! }
  })
}

/** Metadata for tests, with a fixed creation time so exports are reproducible. */
export function testMetadata(historySteps: number, fields: Partial<GruModelMetadata> = {}): GruModelMetadata {
  return {
    mode: 'internet',
    historySteps,
    seed: 7,
    trainedOn: 'synthetic test data',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  }
}

/** An identity-like normalisation for `count` features, with a target mapping. */
export function testNormalization(count: number): FeatureNormalization {
  return {
    names: Array.from({ length: count }, (_, f) => `feature_${f}`),
    means: Array.from({ length: count }, (_, f) => f * 0.5),
    scales: Array.from({ length: count }, (_, f) => 1 + f),
    target: { name: 'log_mbps_next', mean: 1.25, scale: 0.75 },
  }
}
