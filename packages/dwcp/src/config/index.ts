/**
 * The `dwcp` server's configuration: YAML files as the operations runbook writes them, checked against one
 * schema declaration (valibot) and resolved into a typed, frozen {@link DwcpConfig} with the mode's defaults,
 * every rejection a `ConfigInvalidError` naming the key path; the JSON Schema editors read; and the unit
 * parsers for durations, sizes and rates.
 *
 * @example
 * ```ts
 * const config = await loadConfigFiles(['production.yaml', 'internet.yaml'])
 * const { mode, ...options } = toNodeOptions(config)
 * ```
 */

export { DURATION, formatDurationMs, parseDurationMs } from './duration.js'
export { configJsonSchema } from './json-schema.js'
export {
  loadConfigFile,
  loadConfigFiles,
  mergeDocuments,
  type ParseConfigOptions,
  parseConfig,
  type SourcedDocument,
} from './load-config.js'
export type { QuantityKind } from './quantity.js'
export { formatRateBps, parseRateBps, RATE } from './rate.js'
export { DEFAULT_PORTS } from './resolve-cluster.js'
export { configSchema, type WrittenConfig } from './schema.js'
export { CONFIG_KEYS, type KeyKind } from './schema-keys.js'
export { setConfigValue } from './set-value.js'
export { formatSizeBytes, parseSizeBytes, SIZE } from './size.js'
export { type ConfigNodeOptions, type PbftKeyFiles, toNodeOptions } from './to-node-options.js'
export type * from './types.js'
export { type ValidateOptions, validateConfig } from './validate-config.js'
