import type { Trace } from './trace-set.js'

/** Every this-many-th FCC trace (by file name, starting with the first) is held out for evaluation. */
export const FCC_HELD_OUT_EVERY = 5

/** Every this-many-th remaining training trace (by file name, starting with the first) validates training. */
export const VALIDATION_EVERY = 10

/** The three disjoint sets of traces a model is fitted, validated and judged on. */
export interface TraceSplit<T> {
  /** Fits the weights and the normalisation. */
  train: T[]
  /** Reported after training (and used for nothing else), to compare seeds and settings. */
  validation: T[]
  /** Judges the shipped models (`pnpm bench pba`); never seen in training. */
  heldOut: T[]
}

type SplitKey = Pick<Trace, 'file' | 'family' | 'pensieveSplit'>

/**
 * Splits traces by trace, never by time step within a trace, so no second of a held-out trace is seen in
 * training:
 *
 * - held out: Pensieve's `test` split (Norway HSDPA only) plus every {@link FCC_HELD_OUT_EVERY}-th FCC trace in
 *   file-name order, because Pensieve's test split has no FCC trace;
 * - validation: every {@link VALIDATION_EVERY}-th of the remaining traces in file-name order;
 * - train: the rest.
 *
 * The rule depends on file names only (not on a seed), so every training run and the benchmark agree on it.
 */
export function splitTraces<T extends SplitKey>(traces: readonly T[]): TraceSplit<T> {
  const sorted = [...traces].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  const heldOut: T[] = []
  const remaining: T[] = []
  let fccIndex = 0
  for (const trace of sorted) {
    const heldOutFcc =
      trace.family === 'fcc' && trace.pensieveSplit === 'train' && fccIndex++ % FCC_HELD_OUT_EVERY === 0
    if (trace.pensieveSplit === 'test' || heldOutFcc) heldOut.push(trace)
    else remaining.push(trace)
  }
  const validation = remaining.filter((_, i) => i % VALIDATION_EVERY === 0)
  const train = remaining.filter((_, i) => i % VALIDATION_EVERY !== 0)
  return { train, validation, heldOut }
}
