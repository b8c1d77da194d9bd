import { isDwcpError } from './errors.js'
import { METRIC_NAMES, type Metrics } from './metrics.js'

/** The `code` label of an error that is not a DWCP error (a bug, or a dependency's own error). */
export const UNEXPECTED_ERROR_CODE = 'unexpected'

/**
 * Counts a handled error in `dwcp_errors_total{component, code}`: its stable `DWCP_ERR_*` code, or
 * {@link UNEXPECTED_ERROR_CODE} for anything else, so that errors a component survives still show on the
 * dashboard and in the error-rate alert.
 */
export function recordError(metrics: Metrics | undefined, component: string, error: unknown): void {
  const code = isDwcpError(error) ? error.code : UNEXPECTED_ERROR_CODE
  metrics?.counter(METRIC_NAMES.errors).inc({ component, code })
}
