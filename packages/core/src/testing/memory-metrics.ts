import { findMetricDefinition, type MetricDefinition, type MetricType } from '../metric-definitions.js'
import { checkMetricLabels, checkMetricValue, requireMetricDefinition } from '../metric-validation.js'
import type { Counter, Gauge, Histogram, MetricLabels, MetricName, Metrics } from '../metrics.js'
import { type MetricSeries, type MutableSeries, SeriesTable } from './metric-series.js'

/**
 * Core's {@link Metrics} in memory, for tests: it refuses every call the production registry of
 * `@dwcp/metrics` refuses (same checks, same `InvalidArgumentError`s), and lets a test read back what was
 * recorded. The read methods check their name and labels too, so a typo in a test fails instead of reading 0.
 * Labels are matched exactly, as Prometheus identifies a series: `{ component }` is not `{ component, code }`.
 */
export interface MemoryMetrics extends Metrics {
  /**
   * The sum of a counter's increments for exactly `labels` (default: no labels); `0` when none was made.
   *
   * @throws InvalidArgumentError when `name` is not a counter or `labels` holds an undeclared label.
   */
  counterValue(name: MetricName, labels?: MetricLabels): number
  /**
   * A gauge's current value for exactly `labels` (default: no labels); `undefined` when it was never set,
   * incremented or decremented.
   *
   * @throws InvalidArgumentError when `name` is not a gauge or `labels` holds an undeclared label.
   */
  gaugeValue(name: MetricName, labels?: MetricLabels): number | undefined
  /**
   * How many observations a histogram has for exactly `labels` (default: no labels).
   *
   * @throws InvalidArgumentError when `name` is not a histogram or `labels` holds an undeclared label.
   */
  histogramCount(name: MetricName, labels?: MetricLabels): number
  /**
   * The sum of a histogram's observations for exactly `labels` (default: no labels); `0` when none was made.
   *
   * @throws InvalidArgumentError when `name` is not a histogram or `labels` holds an undeclared label.
   */
  histogramSum(name: MetricName, labels?: MetricLabels): number
  /**
   * A histogram's observations for exactly `labels` (default: no labels), in the order they were made.
   *
   * @throws InvalidArgumentError when `name` is not a histogram or `labels` holds an undeclared label.
   */
  histogramValues(name: MetricName, labels?: MetricLabels): readonly number[]
  /**
   * Every series recorded under `name` whatever its labels, or every series of every metric when `name` is
   * absent, in the order they were first recorded. Copies: recording more does not change them.
   *
   * @throws InvalidArgumentError when `name` is given and is not a runbook metric name.
   */
  series(name?: MetricName): readonly MetricSeries[]
}

class MemoryRegistry implements MemoryMetrics {
  readonly #table = new SeriesTable()
  // One object per metric, as production returns: a component may keep what `counter()` gave it.
  readonly #instruments = new Map<string, Counter | Gauge | Histogram>()

  counter(name: MetricName): Counter {
    const definition = requireMetricDefinition(name, 'counter')
    return this.#cached(definition, () => ({
      inc: (labels?: MetricLabels, value = 1) =>
        this.#record(definition, labels, value, true, (series, checked) => {
          series.value += checked
        }),
    }))
  }

  gauge(name: MetricName): Gauge {
    const definition = requireMetricDefinition(name, 'gauge')
    const add = (labels: MetricLabels | undefined, value: number, sign: 1 | -1): void =>
      this.#record(definition, labels, value, false, (series, checked) => {
        series.value += sign * checked
      })
    return this.#cached(definition, () => ({
      set: (value: number, labels?: MetricLabels) =>
        this.#record(definition, labels, value, false, (series, checked) => {
          series.value = checked
        }),
      inc: (labels?: MetricLabels, value = 1) => add(labels, value, 1),
      dec: (labels?: MetricLabels, value = 1) => add(labels, value, -1),
    }))
  }

  histogram(name: MetricName): Histogram {
    const definition = requireMetricDefinition(name, 'histogram')
    return this.#cached(definition, () => ({
      observe: (value: number, labels?: MetricLabels) =>
        this.#record(definition, labels, value, false, (series, checked) => {
          series.value += checked
          series.observations.push(checked)
        }),
    }))
  }

  counterValue(name: MetricName, labels?: MetricLabels): number {
    return this.#find(name, 'counter', labels)?.value ?? 0
  }

  gaugeValue(name: MetricName, labels?: MetricLabels): number | undefined {
    return this.#find(name, 'gauge', labels)?.value
  }

  histogramCount(name: MetricName, labels?: MetricLabels): number {
    return this.#find(name, 'histogram', labels)?.observations.length ?? 0
  }

  histogramSum(name: MetricName, labels?: MetricLabels): number {
    return this.#find(name, 'histogram', labels)?.value ?? 0
  }

  histogramValues(name: MetricName, labels?: MetricLabels): readonly number[] {
    return this.#find(name, 'histogram', labels)?.observations ?? []
  }

  series(name?: MetricName): readonly MetricSeries[] {
    if (name === undefined) return this.#table.list()
    // Any type will do, but an unknown name gets the error production gives it.
    const definition = requireMetricDefinition(name, findMetricDefinition(name)?.type ?? 'counter')
    return this.#table.list(definition.name)
  }

  /**
   * Checks a call in production's order (labels, then value) and only then records it, so that a refused
   * call leaves no series behind.
   */
  #record(
    definition: MetricDefinition,
    labels: MetricLabels | undefined,
    value: number,
    nonNegative: boolean,
    apply: (series: MutableSeries, checked: number) => void,
  ): void {
    const checkedLabels = checkMetricLabels(definition, labels)
    const checked = checkMetricValue(definition, value, nonNegative)
    const series = this.#table.at(definition.name, definition.type, checkedLabels)
    apply(series, checked)
    series.updates += 1
  }

  #find(name: MetricName, type: MetricType, labels: MetricLabels | undefined): MetricSeries | undefined {
    const definition = requireMetricDefinition(name, type)
    return this.#table.find(definition.name, checkMetricLabels(definition, labels))
  }

  #cached<T extends Counter | Gauge | Histogram>(definition: MetricDefinition, create: () => T): T {
    const known = this.#instruments.get(definition.name) as T | undefined
    if (known !== undefined) return known
    const instrument: T = Object.freeze(create()) as T
    this.#instruments.set(definition.name, instrument)
    return instrument
  }
}

/**
 * A fresh in-memory {@link MemoryMetrics}: what production's registry accepts it records, what production
 * refuses it refuses with the same `InvalidArgumentError` (an unknown name, a metric asked for as another type,
 * a label the definition does not declare, a non-string label value, a non-finite value, a negative counter
 * increment). Like production, it accepts a call that leaves out a declared label and records it as a series
 * with only the labels given. Use it wherever a test needs a `Metrics`, so a wrong label fails the test rather
 * than a running node.
 *
 * @example
 * ```ts
 * import { METRIC_NAMES } from '@dwcp/core'
 * import { memoryMetrics } from '@dwcp/core/testing'
 *
 * const metrics = memoryMetrics()
 * metrics.counter(METRIC_NAMES.amstBytesSent).inc({ transport: 'tcp' }, 4096)
 * metrics.counterValue(METRIC_NAMES.amstBytesSent, { transport: 'tcp' }) // 4096
 * metrics.counter(METRIC_NAMES.amstBytesSent).inc({ peer: 'p1' }) // throws DWCP_ERR_INVALID_ARGUMENT
 * ```
 */
export function memoryMetrics(): MemoryMetrics {
  return new MemoryRegistry()
}
