/**
 * The JSON Schema of one config file, generated from the valibot declaration (schema.ts) with valibot's own
 * converter, and shipped as `config.schema.json` so that editors complete and check the YAML
 * (`# yaml-language-server: $schema=…`). It describes what the schema checks per key; the rules that span
 * keys and files (mode defaults, member counts, TLS files) are the server's, so every key is optional here.
 */

import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema'
import { configSchema } from './schema.js'
import type { KeyMetadata } from './schema-values.js'

/**
 * The JSON Schema (draft-07) of a config file. Keys this release refuses are kept, with their reason as the
 * description and `not: {}`, so an editor flags them with the reason rather than as unknown keys.
 *
 * @example
 * ```ts
 * writeFileSync('config.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`)
 * ```
 */
export function configJsonSchema(): JsonSchema {
  const schema = toJsonSchema(configSchema, {
    target: 'draft-07',
    // Pipes end in the schema whose output is the written value; unit parsing and refusals are checks the
    // JSON Schema cannot express (a duration's pattern still is).
    typeMode: 'output',
    ignoreActions: ['raw_transform', 'raw_check'],
    overrideAction({ valibotAction, jsonSchema }) {
      const metadata = (valibotAction as { type: string; metadata?: KeyMetadata }).metadata
      if (valibotAction.type !== 'metadata' || metadata === undefined) return undefined
      // The kind and the refusal are this package's bookkeeping, not JSON Schema keywords.
      const { kind: _kind, refused: _refused, ...schema } = jsonSchema as JsonSchema & KeyMetadata
      if (metadata.refused === undefined) return { ...schema, description: metadata.description }
      return { ...schema, description: `Not supported by this release: ${metadata.refused}.`, not: {} }
    },
  })
  return { $schema: schema.$schema, title: 'DWCP configuration', ...schema }
}
