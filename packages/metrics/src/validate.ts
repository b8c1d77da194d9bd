import { InvalidArgumentError, type MetricLabels } from '@dwcp/core'
import type { MetricDefinition } from './definitions.js'

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const EMPTY: MetricLabels = Object.freeze({})

function describeLabelNames(definition: MetricDefinition): string {
  return definition.labelNames.length === 0 ? 'none' : definition.labelNames.join(', ')
}

/**
 * Returns `labels` (or an empty set) after checking that each key is a label `definition` declares and each
 * value is a string. Omitted declared labels are allowed, as in prom-client.
 *
 * @throws InvalidArgumentError on an undeclared label or a non-string value.
 */
export function checkLabels(definition: MetricDefinition, labels: MetricLabels | undefined): MetricLabels {
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
 * Checks that `value` is a finite number (and not negative when `nonNegative`).
 *
 * @throws InvalidArgumentError otherwise.
 */
export function checkValue(definition: MetricDefinition, value: number, nonNegative: boolean): number {
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

/**
 * Checks the labels a registry adds to every series: valid Prometheus label names, string values, and no
 * name a runbook metric declares itself (the series' own value would silently win) or that Prometheus reserves.
 *
 * @throws InvalidArgumentError naming the offending key.
 */
export function checkDefaultLabels(
  labels: Record<string, string>,
  definitions: readonly MetricDefinition[],
): Record<string, string> {
  const declared = new Set(definitions.flatMap((definition) => definition.labelNames))
  for (const [key, value] of Object.entries(labels)) {
    const argument = `defaultLabels.${key}`
    if (!LABEL_NAME.test(key) || key.startsWith('__') || key === 'le' || key === 'quantile') {
      throw new InvalidArgumentError(argument, 'not a valid Prometheus label name, or a reserved one')
    }
    if (declared.has(key)) {
      throw new InvalidArgumentError(
        argument,
        `"${key}" is a label of a DWCP metric and cannot be a default label`,
      )
    }
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(argument, 'label values must be strings')
    }
  }
  return { ...labels }
}
