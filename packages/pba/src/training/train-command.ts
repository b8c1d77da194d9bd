import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidArgumentError } from '@dwcp/core'
import { trainedModelBytes } from './model-file.js'
import { isModelMode, MODEL_MODES, type ModelMode } from './modes.js'
import { readTraceSet } from './trace-set.js'
import { trainModeModel } from './train-mode-model.js'

/** What the training command was asked to do. */
export interface TrainCommand {
  /** Modes to train, in order. */
  modes: ModelMode[]
  /** Seed of everything random in training. */
  seed: number
  /** Directory of the trace set (with `sources.csv`). */
  tracesDirectory: string
  /** Directory the `<mode>.onnx` files are written to. */
  outDirectory: string
  /** Creation time written into the files, ISO 8601. */
  createdAt: string
}

/** Defaults the command line may override. */
export interface TrainCommandDefaults {
  /** Used without `--traces`. */
  tracesDirectory: string
  /** Used without `--out`. */
  outDirectory: string
  /** Used as the files' creation time (the script passes `SOURCE_DATE_EPOCH` or the current time). */
  createdAt: string
}

/** The usage line of the training command. */
export const TRAIN_USAGE =
  'usage: train [--mode internet|datacenter|all] [--seed <integer>] [--traces <dir>] [--out <dir>]'

/**
 * Parses `--mode`, `--seed`, `--traces` and `--out` (each as `--flag value` or `--flag=value`; a bare `--`
 * is skipped, as package managers pass it through). `--mode` defaults to `all`, `--seed` to 1. Throws
 * {@link InvalidArgumentError} on anything else.
 */
export function parseTrainArgs(argv: readonly string[], defaults: TrainCommandDefaults): TrainCommand {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') continue
    const match = /^--(mode|seed|traces|out)(?:=(.*))?$/.exec(arg)
    if (!match) throw new InvalidArgumentError('argv', `unknown argument ${arg}; ${TRAIN_USAGE}`)
    const value = match[2] ?? argv[++i]
    if (value === undefined) throw new InvalidArgumentError(`--${match[1]}`, `needs a value; ${TRAIN_USAGE}`)
    values.set(match[1]!, value)
  }
  const mode = values.get('mode') ?? 'all'
  if (mode !== 'all' && !isModelMode(mode))
    throw new InvalidArgumentError('--mode', `must be internet, datacenter or all, got ${mode}`)
  const seed = Number(values.get('seed') ?? '1')
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new InvalidArgumentError('--seed', `must be an integer ≥ 0, got ${values.get('seed')}`)
  return {
    modes: mode === 'all' ? [...MODEL_MODES] : [mode],
    seed,
    tracesDirectory: values.get('traces') ?? defaults.tracesDirectory,
    outDirectory: values.get('out') ?? defaults.outDirectory,
    createdAt: defaults.createdAt,
  }
}

const percent = (value: number): string => `${(100 * value).toFixed(1)} %`

/**
 * Trains each requested mode's model on the trace set and writes `<outDirectory>/<mode>.onnx`, printing
 * progress and the validation MAPE beside the baselines through `log`. Returns the paths written.
 */
export function runTrainCommand(command: TrainCommand, log: (line: string) => void): string[] {
  const traces = readTraceSet(command.tracesDirectory)
  log(`read ${traces.length} traces from ${command.tracesDirectory}`)
  mkdirSync(command.outDirectory, { recursive: true })
  const written: string[] = []
  for (const mode of command.modes) {
    const startedMs = performance.now()
    const trained = trainModeModel({
      mode,
      traces,
      seed: command.seed,
      onEpoch: (epoch) =>
        log(
          `  ${mode} epoch ${epoch.epoch}: train loss ${epoch.trainLoss.toFixed(4)}, ` +
            `validation loss ${epoch.validationLoss?.toFixed(4) ?? '-'}`,
        ),
    })
    const bytes = trainedModelBytes(trained, { seed: command.seed, createdAt: command.createdAt })
    const path = join(command.outDirectory, `${mode}.onnx`)
    writeFileSync(path, bytes)
    written.push(path)
    const { validation } = trained
    log(
      `${mode}: history ${trained.config.historySteps}, hidden ${trained.config.hiddenSize}, ` +
        `${trained.trained.windows} windows from ${trained.trained.traces} traces, best epoch ` +
        `${trained.bestEpoch}/${trained.history.length}, ${((performance.now() - startedMs) / 1000).toFixed(0)} s`,
    )
    const line = (scores: typeof validation.withoutStalls) =>
      `${percent(scores.model.meanAbsolutePercentageError)} on ${scores.model.samples} windows (harmonic mean ` +
      `${percent(scores.harmonicMean.meanAbsolutePercentageError)}, last value ` +
      `${percent(scores.lastValue.meanAbsolutePercentageError)})`
    log(`${mode}: validation MAPE (${validation.traces} traces) ${line(validation)}`)
    log(`${mode}: validation MAPE without stall seconds ${line(validation.withoutStalls)}`)
    log(`${mode}: wrote ${path} (${bytes.length} bytes)`)
  }
  return written
}
