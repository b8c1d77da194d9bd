import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { forwardGru, type GruWeights, initGruWeights } from './gru-model.js'
import { evaluateGru, type GruEpoch, type GruSample, trainGru } from './gru-trainer.js'
import { noisySineDataset } from './test-support.js'

const STEPS = 12

function expectInvalid(fn: () => unknown, argument: string): void {
  try {
    fn()
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as { data: { argument: string } }).data.argument).toBe(argument)
    return
  }
  throw new Error(`expected an InvalidArgumentError for ${argument}`)
}

function bytesOf(weights: GruWeights): number[] {
  return [weights.W, weights.R, weights.Wb, weights.Rb, weights.headW]
    .flatMap((a) => Array.from(a))
    .concat(weights.headB)
}

describe('trainGru', () => {
  it('learns to predict the next value of a noisy sine far better than the trivial predictors', () => {
    const train = noisySineDataset(384, STEPS, 1)
    const validation = noisySineDataset(96, STEPS, 2)
    const test = noisySineDataset(200, STEPS, 3)
    const { weights, history } = trainGru(train, {
      seed: 5,
      hiddenSize: 8,
      epochs: 25,
      batchSize: 16,
      learningRate: 0.01,
      validation,
    })
    const mse = evaluateGru(weights, test)
    const targets = test.map((s) => s.target)
    const mean = targets.reduce((a, b) => a + b, 0) / targets.length
    const meanPredictorMse = targets.reduce((sum, t) => sum + (t - mean) ** 2, 0) / targets.length
    const lastValueMse =
      test.reduce((sum, s) => sum + (s.sequence[STEPS - 1]![0]! - s.target) ** 2, 0) / test.length
    console.log(
      `noisy sine: model MSE ${mse.toFixed(4)}, mean predictor ${meanPredictorMse.toFixed(4)}, last value ${lastValueMse.toFixed(4)}, noise floor ≈ 0.0100, ${history.length} epochs`,
    )
    expect(mse).toBeLessThan(0.05 * meanPredictorMse)
    expect(mse).toBeLessThan(0.3 * lastValueMse)
    expect(history[history.length - 1]!.trainLoss).toBeLessThan(history[0]!.trainLoss)
  })

  it('is deterministic: the same seed gives bit-identical weights, another seed different ones', () => {
    const data = noisySineDataset(48, 6, 9)
    const run = (seed: number) => trainGru(data, { seed, hiddenSize: 5, epochs: 3, batchSize: 8 })
    const a = run(21)
    const b = run(21)
    expect(bytesOf(a.weights)).toEqual(bytesOf(b.weights))
    expect(a.history).toEqual(b.history)
    expect(bytesOf(run(22).weights)).not.toEqual(bytesOf(a.weights))
    expect(a.weights.W).toBeInstanceOf(Float32Array)
  })

  it('stops early when validation stops improving and returns the best epoch', () => {
    const data = noisySineDataset(64, 6, 10)
    // Same task: validation improves at first, then flattens out below the required improvement.
    const validation = noisySineDataset(32, 6, 16)
    const epochs: GruEpoch[] = []
    const result = trainGru(data, {
      seed: 3,
      hiddenSize: 4,
      epochs: 200,
      batchSize: 8,
      learningRate: 0.02,
      validation,
      patience: 3,
      minImprovement: 1e-3,
      onEpoch: (e) => epochs.push(e),
    })
    expect(result.stoppedEarly).toBe(true)
    expect(result.history.length).toBeLessThan(200)
    expect(epochs).toEqual(result.history)
    const losses = result.history.map((e) => e.validationLoss!)
    expect(result.bestEpoch).toBeGreaterThan(1)
    const best = losses[result.bestEpoch - 1]!
    // Kept epoch: below every earlier one, and no later one beat it by more than minImprovement.
    for (const earlier of losses.slice(0, result.bestEpoch - 1)) expect(best).toBeLessThan(earlier)
    for (const later of losses.slice(result.bestEpoch)) expect(later).toBeGreaterThanOrEqual(best - 1e-3)
    expect(result.history.length).toBe(result.bestEpoch + 3)
    // The returned weights are that epoch's, rounded to float32.
    expect(evaluateGru(result.weights, validation)).toBeCloseTo(best, 4)
  })

  it('trains with the Huber loss and reports it', () => {
    const data = noisySineDataset(96, 8, 11)
    const result = trainGru(data, {
      seed: 1,
      hiddenSize: 6,
      epochs: 8,
      learningRate: 0.01,
      loss: 'huber',
      huberDelta: 0.2,
    })
    const first = result.history[0]!.trainLoss
    const last = result.history[result.history.length - 1]!.trainLoss
    expect(last).toBeLessThan(0.5 * first)
    expect(evaluateGru(result.weights, data, 'huber', 0.2)).toBeLessThan(first)
  })

  it('clips every batch gradient above the bound', () => {
    const data = noisySineDataset(32, 4, 12)
    const result = trainGru(data, { seed: 1, hiddenSize: 3, epochs: 2, batchSize: 8, gradientClipNorm: 1e-6 })
    for (const epoch of result.history) {
      expect(epoch.clippedBatches).toBe(4)
      expect(epoch.gradientNormMean).toBeGreaterThan(1e-6)
    }
  })

  it('fine-tunes from initial weights and leaves them untouched', () => {
    const data = noisySineDataset(32, 4, 13)
    const initialWeights = initGruWeights({ inputSize: 2, hiddenSize: 3, seed: 8 })
    const before = bytesOf(initialWeights)
    const result = trainGru(data, { seed: 1, initialWeights, epochs: 1 })
    expect(bytesOf(initialWeights)).toEqual(before)
    expect(result.weights.hiddenSize).toBe(3)
    expect(bytesOf(result.weights)).not.toEqual(before)
    expect(forwardGru(result.weights, data[0]!.sequence)).not.toBe(
      forwardGru(initialWeights, data[0]!.sequence),
    )
  })

  it('rejects bad datasets and options with the field at fault', () => {
    const data = noisySineDataset(8, 4, 14)
    expectInvalid(() => trainGru([], { seed: 1 }), 'dataset')
    expectInvalid(
      () => trainGru([...data, { sequence: data[0]!.sequence.slice(1), target: 0 }], { seed: 1 }),
      'dataset[8].sequence',
    )
    expectInvalid(() => trainGru([{ ...data[0]!, target: Number.NaN }], { seed: 1 }), 'dataset[0].target')
    expectInvalid(() => trainGru(data, { seed: 1, validation: [] }), 'validation')
    expectInvalid(() => trainGru(data, { seed: 1.5 }), 'seed')
    expectInvalid(() => trainGru(data, { seed: 1, batchSize: 0 }), 'batchSize')
    expectInvalid(() => trainGru(data, { seed: 1, learningRate: -1 }), 'learningRate')
    expectInvalid(
      () =>
        trainGru(data, { seed: 1, initialWeights: initGruWeights({ inputSize: 3, hiddenSize: 2, seed: 1 }) }),
      'dataset[0].sequence[0]',
    )
  })

  it('reports divergence as a typed error instead of returning NaN weights', () => {
    const data: GruSample[] = noisySineDataset(16, 4, 15).map((s) => ({ ...s, target: s.target * 1e300 }))
    expectInvalid(() => trainGru(data, { seed: 1, hiddenSize: 2, epochs: 3 }), 'learningRate')
  })
})
