import { InvalidArgumentError, type MetricDefinition } from '@dwcp/core'

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

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
