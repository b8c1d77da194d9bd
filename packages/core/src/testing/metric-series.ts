import type { MetricType } from '../metric-definitions.js'
import type { MetricLabels, MetricName } from '../metrics.js'

/** One time series recorded by `memoryMetrics()`: a metric name with one set of label values. */
export interface MetricSeries {
  /** The runbook name. */
  readonly name: MetricName
  /** The metric's type, from its definition. */
  readonly type: MetricType
  /** The label values that identify the series (only those the calls gave: omitted labels are absent). */
  readonly labels: Readonly<MetricLabels>
  /** A counter's sum, a gauge's current value, a histogram's sum of observations. */
  readonly value: number
  /** A histogram's observations in the order they were made; empty for counters and gauges. */
  readonly observations: readonly number[]
  /** How many calls recorded into the series: tells "set once" from "set twice to the same value". */
  readonly updates: number
}

/** A series as the registry holds it, before {@link SeriesTable.list} copies it. */
export interface MutableSeries {
  readonly name: MetricName
  readonly type: MetricType
  readonly labels: Readonly<MetricLabels>
  value: number
  readonly observations: number[]
  updates: number
}

/**
 * Identity of a label set regardless of key order, as in Prometheus: `{ a, b }` and `{ b, a }` are one series,
 * `{}` and `{ a }` are two.
 */
function labelsKey(labels: MetricLabels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((key) => [key, labels[key]]),
  )
}

/** The series of one in-memory registry, in the order they were first recorded. */
export class SeriesTable {
  readonly #series = new Map<string, MutableSeries>()

  /** The series of `name` with exactly `labels`, created at `0` on first use. */
  at(name: MetricName, type: MetricType, labels: MetricLabels): MutableSeries {
    const key = `${name}${labelsKey(labels)}`
    let series = this.#series.get(key)
    if (series === undefined) {
      // A copy: a caller reusing and changing its labels object must not move a recorded series.
      series = { name, type, labels: Object.freeze({ ...labels }), value: 0, observations: [], updates: 0 }
      this.#series.set(key, series)
    }
    return series
  }

  /** The series of `name` with exactly `labels`, or `undefined` when nothing was recorded into it. */
  find(name: MetricName, labels: MetricLabels): MetricSeries | undefined {
    const series = this.#series.get(`${name}${labelsKey(labels)}`)
    return series === undefined ? undefined : snapshot(series)
  }

  /** Copies of every series of `name`, or of every series when `name` is absent. */
  list(name?: MetricName): MetricSeries[] {
    const all = [...this.#series.values()]
    return (name === undefined ? all : all.filter((series) => series.name === name)).map(snapshot)
  }
}

function snapshot(series: MutableSeries): MetricSeries {
  return Object.freeze({ ...series, observations: Object.freeze([...series.observations]) })
}
