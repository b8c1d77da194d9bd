/**
 * The checks every `Metrics` implementation applies to a call, kept in one place so that the production
 * registry and the in-memory one of `@dwcp/core/testing` refuse exactly the same calls.
 */
import { InvalidArgumentError } from './errors.js'
import { findMetricDefinition, type MetricDefinition, type MetricType } from './metric-definitions.js'
import type { MetricLabels } from './metrics.js'

const EMPTY: MetricLabels = Object.freeze({})

function describeLabelNames(definition: MetricDefinition): string {
  return definition.labelNames.length === 0 ? 'none' : definition.labelNames.join(', ')
}

/**
 * The definition of the runbook metric `name`, after checking that it is asked for as its own type.
 *
 * @throws InvalidArgumentError (argument `name`) when `name` is not a runbook metric name, or names a metric
 *   of another type (`counter()` on a gauge).
 */
export function requireMetricDefinition(name: string, type: MetricType): MetricDefinition {
  const definition = findMetricDefinition(name)
  if (definition === undefined) {
    throw new InvalidArgumentError('name', `"${String(name)}" is not a DWCP metric name (see METRIC_NAMES)`)
  }
  if (definition.type !== type) {
    throw new InvalidArgumentError('name', `${name} is a ${definition.type}, not a ${type}`)
  }
  return definition
}

/**
 * Returns `labels` (or an empty set) after checking that each key is a label `definition` declares and each
 * value is a string. Declared labels may be left out: prom-client records such a call as a series with only
 * the labels given, and so does every DWCP registry.
 *
 * @throws InvalidArgumentError (argument `labels.<key>`, or `labels` when it is not an object) on an
 *   undeclared label or a non-string value.
 */
export function checkMetricLabels(
  definition: MetricDefinition,
  labels: MetricLabels | undefined,
): MetricLabels {
  if (labels === undefined) return EMPTY
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new InvalidArgumentError('labels', `${definition.name} takes an object of label values`)
  }
  for (const key of Object.keys(labels)) {
    if (!definition.labelNames.includes(key)) {
      throw new InvalidArgumentError(
        `labels.${key}`,
        `${definition.name} declares no label "${key}" (declared: ${describeLabelNames(definition)})`,
      )
    }
    if (typeof labels[key] !== 'string') {
      throw new InvalidArgumentError(`labels.${key}`, `${definition.name} label values must be strings`)
    }
  }
  return labels
}

/**
 * Returns `value` after checking that it is a finite number, and not negative when `nonNegative` (a counter
 * increment).
 *
 * @throws InvalidArgumentError (argument `value`) otherwise.
 */
export function checkMetricValue(definition: MetricDefinition, value: number, nonNegative: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError('value', `${definition.name} takes a finite number, got ${String(value)}`)
  }
  if (nonNegative && value < 0) {
    throw new InvalidArgumentError(
      'value',
      `${definition.name} is a counter and cannot decrease (got ${value})`,
    )
  }
  return value
}
