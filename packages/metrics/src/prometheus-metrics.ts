import {
  type Counter,
  type Gauge,
  type Histogram,
  type Logger,
  METRIC_DEFINITIONS,
  type Metrics,
  type MetricType,
  raceAbort,
  requireMetricDefinition,
  silentLogger,
} from '@dwcp/core'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { createInstrument, type Instrument } from './instruments.js'
import { checkDefaultLabels } from './validate.js'

/** Options of {@link prometheusMetrics}. Metric names carry no prefix option: they are a fixed contract. */
export interface PrometheusMetricsInit {
  /**
   * Also collect prom-client's process metrics (CPU, resident memory, heap, event loop lag, GC, handles) into
   * this registry.
   *
   * @default false
   */
  collectDefaultMetrics?: boolean
  /**
   * Labels added to every series when rendering, e.g. `{ node: 'node-a' }`, so that two nodes scraped into one
   * Prometheus stay apart. Names must be valid Prometheus label names that no DWCP metric declares itself.
   *
   * @default {}
   */
  defaultLabels?: Record<string, string>
}

/** What {@link prometheusMetrics} needs from the node. */
export interface PrometheusMetricsComponents {
  /** Where the registry reports its creation. A silent logger when absent. */
  logger?: Logger
}

/** Core's {@link Metrics} over a prom-client registry of its own, with every runbook metric registered. */
export interface PrometheusMetrics extends Metrics {
  /** The registry holding every runbook metric; never prom-client's global registry. */
  readonly registry: Registry
  /** The `Content-Type` of {@link PrometheusMetrics.render}'s output (Prometheus text format 0.0.4). */
  readonly contentType: string
  /**
   * Every metric in the Prometheus text exposition format, as `GET /metrics` serves it.
   *
   * @throws AbortedError when `options.signal` fires first.
   */
  render(options?: { signal?: AbortSignal }): Promise<string>
}

type Api<T extends MetricType> = Extract<Instrument, { type: T }>['api']

class PrometheusRegistryMetrics implements PrometheusMetrics {
  readonly registry: Registry
  readonly #instruments: ReadonlyMap<string, Instrument>

  constructor(init: PrometheusMetricsInit, logger: Logger) {
    const definitions = Object.values(METRIC_DEFINITIONS)
    const defaultLabels = checkDefaultLabels(init.defaultLabels ?? {}, definitions)
    this.registry = new Registry()
    this.registry.setDefaultLabels(defaultLabels)
    this.#instruments = new Map(
      definitions.map((definition) => [definition.name, createInstrument(definition, this.registry)]),
    )
    const collectProcess = init.collectDefaultMetrics ?? false
    if (collectProcess) collectDefaultMetrics({ register: this.registry })
    logger.debug(
      { metrics: definitions.length, defaultMetrics: collectProcess, defaultLabels },
      'prometheus registry created',
    )
  }

  get contentType(): string {
    return this.registry.contentType
  }

  counter(name: string): Counter {
    return this.#lookup(name, 'counter')
  }

  gauge(name: string): Gauge {
    return this.#lookup(name, 'gauge')
  }

  histogram(name: string): Histogram {
    return this.#lookup(name, 'histogram')
  }

  render(options?: { signal?: AbortSignal }): Promise<string> {
    return raceAbort(this.registry.metrics(), options?.signal)
  }

  #lookup<T extends MetricType>(name: string, type: T): Api<T> {
    // Core's check, shared with the in-memory registry tests use, so both refuse the same names.
    const definition = requireMetricDefinition(name, type)
    return (this.#instruments.get(definition.name) as Instrument).api as Api<T>
  }
}

/**
 * Creates the Prometheus-backed {@link Metrics} of one node, in the two-step factory style: options first, then
 * the components the node supplies. Each call builds a fresh registry, so two nodes in one process never share
 * a series.
 *
 * @throws InvalidArgumentError (at the second step) when `defaultLabels` has an invalid or clashing name.
 *
 * @example
 * ```ts
 * const metrics = prometheusMetrics({ defaultLabels: { node: 'node-a' } })()
 * metrics.counter('dwcp_amst_bytes_sent_total').inc({ transport: 'tcp' }, 4096)
 * const body = await metrics.render()
 * ```
 */
export function prometheusMetrics(
  init: PrometheusMetricsInit = {},
): (components?: PrometheusMetricsComponents) => PrometheusMetrics {
  return (components = {}) => new PrometheusRegistryMetrics(init, components.logger ?? silentLogger())
}
