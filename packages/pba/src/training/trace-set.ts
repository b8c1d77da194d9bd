import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidArgumentError } from '@dwcp/core'

/** Which measurement campaign a trace comes from. */
export type TraceFamily = 'fcc' | 'hsdpa'

/** The split the Pensieve authors used for a trace. */
export type PensieveSplit = 'train' | 'test'

/** One throughput trace: one value per second. */
export interface Trace {
  /** Path of the CSV inside the trace set, e.g. `hsdpa/norway_bus_5.csv`: the trace's identity. */
  file: string
  /** Measurement campaign. */
  family: TraceFamily
  /** Pensieve's split of this trace. */
  pensieveSplit: PensieveSplit
  /** Mean throughput of each 1-second bin, in Mbit/s (10⁶ bit/s); 0 where nothing was delivered. */
  mbps: Float64Array
}

/**
 * Parses one trace CSV: the header `t_s,mbps`, then one row per second with consecutive `t_s` from 0. Throws
 * {@link InvalidArgumentError} naming the file and line on anything else, so a damaged trace never trains a
 * model silently.
 */
export function parseTraceCsv(file: string, text: string): Float64Array {
  const lines = text.trim().split(/\r?\n/)
  if (lines[0] !== 't_s,mbps')
    throw new InvalidArgumentError(file, `header must be t_s,mbps, got ${lines[0]}`)
  const mbps = new Float64Array(lines.length - 1)
  for (let i = 1; i < lines.length; i++) {
    const [seconds, value] = lines[i]!.split(',').map(Number)
    if (seconds !== i - 1 || value === undefined || !Number.isFinite(value) || value < 0)
      throw new InvalidArgumentError(file, `line ${i + 1} must be "${i - 1},<mbps ≥ 0>", got "${lines[i]}"`)
    mbps[i - 1] = value
  }
  return mbps
}

/**
 * Reads a trace set laid out as the project's shared traces: `sources.csv` (columns `file`, `family`,
 * `pensieve_split`, …) naming one CSV per trace relative to `directory`. Traces come back sorted by file, so
 * everything derived from the set (split, sampling) is independent of directory order.
 */
export function readTraceSet(directory: string): Trace[] {
  const sourcesFile = join(directory, 'sources.csv')
  const [header, ...rows] = readFileSync(sourcesFile, 'utf8').trim().split(/\r?\n/)
  const columns = header!.split(',')
  const fileAt = columns.indexOf('file')
  const familyAt = columns.indexOf('family')
  const splitAt = columns.indexOf('pensieve_split')
  if (fileAt < 0 || familyAt < 0 || splitAt < 0)
    throw new InvalidArgumentError(sourcesFile, 'needs the columns file, family and pensieve_split')
  const traces = rows.map((row, i): Trace => {
    const cells = row.split(',')
    const file = cells[fileAt] ?? ''
    const family = cells[familyAt]
    const pensieveSplit = cells[splitAt]
    if (family !== 'fcc' && family !== 'hsdpa')
      throw new InvalidArgumentError(sourcesFile, `line ${i + 2}: unknown family ${String(family)}`)
    if (pensieveSplit !== 'train' && pensieveSplit !== 'test')
      throw new InvalidArgumentError(sourcesFile, `line ${i + 2}: unknown split ${String(pensieveSplit)}`)
    const mbps = parseTraceCsv(file, readFileSync(join(directory, file), 'utf8'))
    return { file, family, pensieveSplit, mbps }
  })
  return traces.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}
