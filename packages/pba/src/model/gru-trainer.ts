import { InvalidArgumentError, seededRandom } from '@dwcp/core'
import { AdamOptimizer, clipGradientNorm } from './adam.js'
import { flattenGruWeights, GruBackprop, gruParameterLayout, gruWeightsView } from './gru-gradients.js'
import {
  assertValidGruWeights,
  assertValidSequence,
  forwardGru,
  type GruWeights,
  gruSize,
  initGruWeights,
  toFloat32Weights,
} from './gru-model.js'
import { type GruLossKind, type LossFunction, lossFunction } from './loss.js'

/** Longest window (time steps per sample) the trainer accepts. */
export const SEQUENCE_STEPS_MAX = 10_000

/** One training example: a window of normalised feature vectors and the normalised value to predict. */
export interface GruSample {
  /** T time steps of F features each, oldest first. */
  sequence: readonly ArrayLike<number>[]
  /** The normalised target (e.g. next interval's normalised throughput). */
  target: number
}

/** Options of {@link trainGru}. */
export interface GruTrainOptions {
  /** Seed of the initialisation and of the batch order: the same seed and data give bit-identical weights. */
  seed: number
  /** H: hidden units; ignored when `initialWeights` is given. @default 16 */
  hiddenSize?: number
  /** Start from these weights (fine-tuning) instead of a seeded initialisation. */
  initialWeights?: GruWeights
  /** Passes over the training set, at most. @default 50 */
  epochs?: number
  /** Samples per gradient step; the last batch of an epoch may be smaller. @default 32 */
  batchSize?: number
  /** Adam step size. @default 0.003 */
  learningRate?: number
  /** Training loss, see {@link lossFunction}. @default 'mse' */
  loss?: GruLossKind
  /** Where the Huber loss turns linear, in normalised target units. @default 1 */
  huberDelta?: number
  /** Largest global L2 norm of a batch gradient; larger ones are scaled down. `Infinity` disables. @default 1 */
  gradientClipNorm?: number
  /** Held-out samples scored after every epoch; enables early stopping and best-epoch selection. */
  validation?: readonly GruSample[]
  /** Epochs without a validation improvement before training stops. @default 10 */
  patience?: number
  /** How much the validation loss must drop to count as an improvement. @default 0 */
  minImprovement?: number
  /** Called after every epoch with its record, e.g. to print progress. */
  onEpoch?: (epoch: GruEpoch) => void
}

/** What happened in one epoch. */
export interface GruEpoch {
  /** 1-based epoch number. */
  epoch: number
  /** Mean training loss over the epoch's samples, each scored with the weights before its batch's step. */
  trainLoss: number
  /** Mean loss on the validation set after the epoch; absent without a validation set. */
  validationLoss?: number
  /** Mean global L2 norm of the batch gradients, before clipping. */
  gradientNormMean: number
  /** Batches whose gradient was clipped. */
  clippedBatches: number
}

/** Result of {@link trainGru}. */
export interface GruTrainResult {
  /**
   * Float32 weights: of the epoch with the lowest validation loss when a validation set was given, else of the
   * last epoch. Float32 because that is what the ONNX export stores, so `forwardGru` on these equals the model.
   */
  weights: GruWeights
  /** One record per epoch run. */
  history: GruEpoch[]
  /** Epoch whose weights were returned (0 when no epoch improved on the initial weights). */
  bestEpoch: number
  /** Whether training stopped before `epochs` because validation stopped improving. */
  stoppedEarly: boolean
}

/**
 * Mean per-sample loss of `weights` over `samples` (the MSE for `'mse'`).
 *
 * @throws InvalidArgumentError on an empty set or a sample that does not fit the weights
 */
export function evaluateGru(
  weights: GruWeights,
  samples: readonly GruSample[],
  loss: GruLossKind = 'mse',
  huberDelta = 1,
): number {
  if (!Array.isArray(samples) || samples.length === 0)
    throw new InvalidArgumentError('samples', 'must be a non-empty array')
  const fn = lossFunction(loss, huberDelta)
  let sum = 0
  for (const sample of samples) sum += fn.value(forwardGru(weights, sample.sequence), sample.target)
  return sum / samples.length
}

/**
 * Trains a GRU + linear head to predict each sample's target from its sequence: backpropagation through time,
 * Adam on shuffled mini-batches, gradient-norm clipping and, when a validation set is given, early stopping
 * that returns the best epoch's weights. Runs synchronously on the calling thread and is deterministic: the
 * same data, options and seed give bit-identical weights (no wall-clock time, no `Math.random`).
 *
 * Targets and features are expected normalised (mean ≈ 0, scale ≈ 1); the trainer does not normalise.
 *
 * @throws InvalidArgumentError on an empty dataset, sequences of different shapes, non-finite values, bad
 *   options, or a diverging run (non-finite training loss)
 */
export function trainGru(dataset: readonly GruSample[], options: GruTrainOptions): GruTrainResult {
  const settings = resolveOptions(options)
  if (options.initialWeights) assertValidGruWeights(options.initialWeights, 'initialWeights')
  const inputSize = options.initialWeights?.inputSize ?? inputSizeOf(dataset)
  const hiddenSize = options.initialWeights?.hiddenSize ?? settings.hiddenSize
  assertValidDataset(dataset, inputSize, 'dataset')
  if (options.validation !== undefined) assertValidDataset(options.validation, inputSize, 'validation')

  const layout = gruParameterLayout(inputSize, hiddenSize)
  const initial = options.initialWeights ?? initGruWeights({ inputSize, hiddenSize, seed: options.seed })
  const params = flattenGruWeights(initial, layout)
  const gradient = new Float64Array(layout.size)
  const optimizer = new AdamOptimizer(layout.size, { learningRate: settings.learningRate })
  const backprop = new GruBackprop(layout)
  const loss = lossFunction(settings.loss, settings.huberDelta)
  // A stream apart from the initialisation's, so changing the initial weights does not change the batch order.
  const shuffle = seededRandom((options.seed ^ 0x5bd1e995) >>> 0)
  const order = Array.from(dataset.keys())

  const validation = options.validation
  let best: Float64Array = params.slice()
  let bestLoss = validation
    ? meanLoss(gruWeightsView(layout, params), validation, loss)
    : Number.POSITIVE_INFINITY
  let bestEpoch = 0
  let sinceImprovement = 0
  let stoppedEarly = false
  const history: GruEpoch[] = []

  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    shuffleInPlace(order, shuffle)
    let lossSum = 0
    let normSum = 0
    let batches = 0
    let clippedBatches = 0
    for (let start = 0; start < order.length; start += settings.batchSize) {
      const end = Math.min(order.length, start + settings.batchSize)
      const weights = gruWeightsView(layout, params)
      const scale = 1 / (end - start)
      gradient.fill(0)
      for (let k = start; k < end; k++) {
        const sample = dataset[order[k]!]!
        lossSum += backprop.accumulate(weights, sample.sequence, sample.target, loss, scale, gradient)
      }
      const norm = clipGradientNorm(gradient, settings.gradientClipNorm)
      if (norm > settings.gradientClipNorm) clippedBatches++
      normSum += norm
      batches++
      optimizer.step(params, gradient)
    }
    const trainLoss = lossSum / dataset.length
    if (!Number.isFinite(trainLoss))
      throw new InvalidArgumentError(
        'learningRate',
        `training diverged in epoch ${epoch} (loss ${trainLoss}): lower it, or check that targets are normalised`,
      )
    const record: GruEpoch = { epoch, trainLoss, gradientNormMean: normSum / batches, clippedBatches }
    if (validation) {
      const validationLoss = meanLoss(gruWeightsView(layout, params), validation, loss)
      record.validationLoss = validationLoss
      if (validationLoss < bestLoss - settings.minImprovement) {
        bestLoss = validationLoss
        best = params.slice()
        bestEpoch = epoch
        sinceImprovement = 0
      } else sinceImprovement++
    } else {
      best = params
      bestEpoch = epoch
    }
    history.push(record)
    options.onEpoch?.(record)
    if (validation && sinceImprovement >= settings.patience) {
      stoppedEarly = epoch < settings.epochs
      break
    }
  }
  return { weights: toFloat32Weights(gruWeightsView(layout, best)), history, bestEpoch, stoppedEarly }
}

interface ResolvedOptions {
  hiddenSize: number
  epochs: number
  batchSize: number
  learningRate: number
  loss: GruLossKind
  huberDelta: number
  gradientClipNorm: number
  patience: number
  minImprovement: number
}

function resolveOptions(options: GruTrainOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options', 'must be an object')
  if (!Number.isInteger(options.seed))
    throw new InvalidArgumentError('seed', `must be an integer, got ${String(options.seed)}`)
  const integer = (name: string, value: number, max: number): number => {
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new InvalidArgumentError(name, `must be an integer in 1..${max}, got ${String(value)}`)
    return value
  }
  const positive = (name: string, value: number, allowInfinity = false): number => {
    if (typeof value !== 'number' || !(value > 0) || (!allowInfinity && !Number.isFinite(value)))
      throw new InvalidArgumentError(name, `must be a number > 0, got ${String(value)}`)
    return value
  }
  const minImprovement = options.minImprovement ?? 0
  if (!(Number.isFinite(minImprovement) && minImprovement >= 0))
    throw new InvalidArgumentError(
      'minImprovement',
      `must be a finite number ≥ 0, got ${String(minImprovement)}`,
    )
  return {
    hiddenSize: gruSize('hiddenSize', options.hiddenSize ?? 16),
    epochs: integer('epochs', options.epochs ?? 50, 100_000),
    batchSize: integer('batchSize', options.batchSize ?? 32, 1_000_000),
    learningRate: positive('learningRate', options.learningRate ?? 0.003),
    loss: options.loss ?? 'mse',
    huberDelta: positive('huberDelta', options.huberDelta ?? 1),
    gradientClipNorm: positive('gradientClipNorm', options.gradientClipNorm ?? 1, true),
    patience: integer('patience', options.patience ?? 10, 100_000),
    minImprovement,
  }
}

function inputSizeOf(dataset: readonly GruSample[]): number {
  const first = Array.isArray(dataset) ? dataset[0]?.sequence?.[0] : undefined
  if (first === undefined)
    throw new InvalidArgumentError('dataset', 'must be a non-empty array of samples with steps')
  return gruSize('dataset[0].sequence[0].length', first.length)
}

/** Checks every sample (same number of steps, `inputSize` finite features, finite target); returns T. */
function assertValidDataset(samples: readonly GruSample[], inputSize: number, argument: string): number {
  if (!Array.isArray(samples) || samples.length === 0)
    throw new InvalidArgumentError(argument, 'must be a non-empty array of samples')
  const steps = samples[0]?.sequence?.length ?? 0
  if (!(steps >= 1 && steps <= SEQUENCE_STEPS_MAX))
    throw new InvalidArgumentError(`${argument}[0].sequence`, `must hold 1..${SEQUENCE_STEPS_MAX} steps`)
  samples.forEach((sample, i) => {
    assertValidSequence(sample.sequence, inputSize, `${argument}[${i}].sequence`)
    if (sample.sequence.length !== steps)
      throw new InvalidArgumentError(
        `${argument}[${i}].sequence`,
        `has ${sample.sequence.length} steps, the first has ${steps}`,
      )
    if (!Number.isFinite(sample.target))
      throw new InvalidArgumentError(`${argument}[${i}].target`, 'must be finite')
  })
  return steps
}

function meanLoss(weights: GruWeights, samples: readonly GruSample[], loss: LossFunction): number {
  let sum = 0
  for (const sample of samples) sum += loss.value(forwardGru(weights, sample.sequence), sample.target)
  return sum / samples.length
}

/** Fisher–Yates with a seeded source, so the batch order replays. */
function shuffleInPlace(items: number[], random: { next(): number }): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1))
    const tmp = items[i]!
    items[i] = items[j]!
    items[j] = tmp
  }
}
