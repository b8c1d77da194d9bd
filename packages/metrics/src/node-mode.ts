import { InvalidArgumentError, isMode, METRIC_NAMES, type Metrics, MODES, type Mode } from '@dwcp/core'

/**
 * Records the node's current mode on `dwcp_node_mode`: 1 for `mode`, 0 for every other mode, so a dashboard
 * can plot the mode distribution and an alert can match `dwcp_node_mode{mode="internet"} == 1`.
 *
 * @throws InvalidArgumentError when `mode` is not one of `MODES`.
 *
 * @example
 * ```ts
 * const metrics = prometheusMetrics()()
 * recordNodeMode(metrics, 'datacenter')
 * ```
 */
export function recordNodeMode(metrics: Metrics, mode: Mode): void {
  if (!isMode(mode)) throw new InvalidArgumentError('mode', `expected one of ${MODES.join(', ')}`)
  const gauge = metrics.gauge(METRIC_NAMES.nodeMode)
  for (const each of MODES) gauge.set(each === mode ? 1 : 0, { mode: each })
}
