import { InvalidArgumentError, type PathClass } from '@dwcp/core'

/** Longest free-text field accepted in the metadata. */
const TEXT_LENGTH_MAX = 4096
/** Most entries in {@link GruModelMetadata.extra}. */
const EXTRA_ENTRIES_MAX = 64
/** Longest window a model may declare (time steps). */
export const HISTORY_STEPS_MAX = 10_000

/** What a model file says about itself, besides its normalisation. */
export interface GruModelMetadata {
  /** Path class the model was trained for (DESIGN.md §1: `datacenter` uses history 10, `internet` 60). */
  mode: PathClass
  /** T: time steps the model reads per forecast; the ONNX input is fixed to it. */
  historySteps: number
  /** Seed the training ran with, to reproduce it. */
  seed: number
  /** What the model was trained on, e.g. the trace set and split. */
  trainedOn: string
  /** When the model was made, ISO 8601 (passed in by the caller, so export stays deterministic). */
  createdAt: string
  /** Further facts worth keeping with the file (training loss, epochs, hidden size…). */
  extra?: Record<string, string | number | boolean>
}

function text(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > TEXT_LENGTH_MAX)
    throw new InvalidArgumentError(argument, `must be a string of 1..${TEXT_LENGTH_MAX} characters`)
  return value
}

/**
 * Checks an untrusted value (from a caller or a model file's JSON) against {@link GruModelMetadata} and returns
 * a clean copy holding only the known fields.
 *
 * @throws InvalidArgumentError naming the first bad field
 */
export function parseModelMetadata(value: unknown, argument = 'metadata'): GruModelMetadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError(argument, 'must be an object')
  const record = value as Record<string, unknown>
  if (record.mode !== 'datacenter' && record.mode !== 'internet')
    throw new InvalidArgumentError(
      `${argument}.mode`,
      `must be 'datacenter' or 'internet', got ${String(record.mode)}`,
    )
  const historySteps = record.historySteps
  if (
    typeof historySteps !== 'number' ||
    !Number.isInteger(historySteps) ||
    historySteps < 1 ||
    historySteps > HISTORY_STEPS_MAX
  )
    throw new InvalidArgumentError(
      `${argument}.historySteps`,
      `must be an integer in 1..${HISTORY_STEPS_MAX}`,
    )
  if (typeof record.seed !== 'number' || !Number.isInteger(record.seed))
    throw new InvalidArgumentError(`${argument}.seed`, `must be an integer, got ${String(record.seed)}`)
  const createdAt = text(record.createdAt, `${argument}.createdAt`)
  if (!Number.isFinite(Date.parse(createdAt)))
    throw new InvalidArgumentError(`${argument}.createdAt`, `must be an ISO 8601 date, got ${createdAt}`)
  const result: GruModelMetadata = {
    mode: record.mode,
    historySteps,
    seed: record.seed,
    trainedOn: text(record.trainedOn, `${argument}.trainedOn`),
    createdAt,
  }
  if (record.extra !== undefined) result.extra = parseExtra(record.extra, `${argument}.extra`)
  return result
}

function parseExtra(value: unknown, argument: string): Record<string, string | number | boolean> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError(argument, 'must be an object')
  const entries = Object.entries(value)
  if (entries.length > EXTRA_ENTRIES_MAX)
    throw new InvalidArgumentError(argument, `must have at most ${EXTRA_ENTRIES_MAX} entries`)
  for (const [key, entry] of entries) {
    const ok =
      typeof entry === 'boolean' ||
      (typeof entry === 'number' && Number.isFinite(entry)) ||
      (typeof entry === 'string' && entry.length <= TEXT_LENGTH_MAX)
    if (!ok || key.length > TEXT_LENGTH_MAX)
      throw new InvalidArgumentError(
        `${argument}.${key}`,
        'must be a boolean, a finite number or a short string',
      )
  }
  // fromEntries defines own properties, so a key such as `__proto__` from a file stays plain data.
  return Object.fromEntries(entries) as Record<string, string | number | boolean>
}
