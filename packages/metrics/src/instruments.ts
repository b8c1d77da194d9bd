import {
  type Counter,
  checkMetricLabels,
  checkMetricValue,
  type Gauge,
  type Histogram,
  type MetricDefinition,
} from '@dwcp/core'
import {
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  type Registry,
} from 'prom-client'

/** A runbook metric registered in one registry, with the core-facing object that records into it. */
export type Instrument =
  | { readonly type: 'counter'; readonly api: Counter }
  | { readonly type: 'gauge'; readonly api: Gauge }
  | { readonly type: 'histogram'; readonly api: Histogram }

function createCounter(definition: MetricDefinition, registry: Registry): Counter {
  const metric = new PromCounter({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [registry],
  })
  return Object.freeze({
    inc(labels, value = 1) {
      metric.inc(checkMetricLabels(definition, labels), checkMetricValue(definition, value, true))
    },
  } satisfies Counter)
}

function createGauge(definition: MetricDefinition, registry: Registry): Gauge {
  const metric = new PromGauge({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [registry],
  })
  return Object.freeze({
    set(value, labels) {
      metric.set(checkMetricLabels(definition, labels), checkMetricValue(definition, value, false))
    },
    inc(labels, value = 1) {
      metric.inc(checkMetricLabels(definition, labels), checkMetricValue(definition, value, false))
    },
    dec(labels, value = 1) {
      metric.dec(checkMetricLabels(definition, labels), checkMetricValue(definition, value, false))
    },
  } satisfies Gauge)
}

function createHistogram(definition: MetricDefinition, registry: Registry): Histogram {
  const metric = new PromHistogram({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames,
    ...(definition.buckets === undefined ? {} : { buckets: [...definition.buckets] }),
    registers: [registry],
  })
  return Object.freeze({
    observe(value, labels) {
      metric.observe(checkMetricLabels(definition, labels), checkMetricValue(definition, value, false))
    },
  } satisfies Histogram)
}

/** Registers `definition` in `registry` as the prom-client metric of its type. */
export function createInstrument(definition: MetricDefinition, registry: Registry): Instrument {
  switch (definition.type) {
    case 'counter':
      return { type: 'counter', api: createCounter(definition, registry) }
    case 'gauge':
      return { type: 'gauge', api: createGauge(definition, registry) }
    case 'histogram':
      return { type: 'histogram', api: createHistogram(definition, registry) }
  }
}
