/**
 * Every key a config may hold, with the kind of value it takes, read from the schema (schema.ts) so that the
 * key table, `dwcp config set k=v`'s typing and the validator can never disagree.
 */

import { configSchema, memberSchema } from './schema.js'
import { entriesOf, type KeyKind, metadataOf } from './schema-values.js'

export type { KeyKind } from './schema-values.js'

/** Walks the sections of `schema`, listing each key path (sections too) with its kind. */
function collectKeys(
  schema: unknown,
  prefix: string,
  into: Record<string, KeyKind>,
): Record<string, KeyKind> {
  for (const [key, entry] of Object.entries(entriesOf(schema) ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    const kind = metadataOf(entry)?.kind ?? 'string'
    into[path] = kind
    if (kind === 'section') collectKeys(entry, path, into)
  }
  return into
}

/** Key path (dotted, as in YAML) → kind. Sections are listed so that their children can be found. */
export const CONFIG_KEYS: Readonly<Record<string, KeyKind>> = Object.freeze(collectKeys(configSchema, '', {}))

/** Keys of one `cluster.members[]` entry. */
export const MEMBER_KEYS: readonly string[] = Object.freeze(Object.keys(entriesOf(memberSchema) ?? {}))

/**
 * Section names the runbook's CLI examples use for a section of this schema: `dwcp config set
 * hde.ml_enabled=true` means `compression.ml_enabled` (HDE is the compression component).
 */
export const SECTION_ALIASES: Readonly<Record<string, string>> = Object.freeze({ hde: 'compression' })

/** The direct child key names of `sectionPath` ('' for the top level). */
export function childKeys(sectionPath: string): string[] {
  const prefix = sectionPath === '' ? '' : `${sectionPath}.`
  return Object.keys(CONFIG_KEYS)
    .filter((path) => path.startsWith(prefix) && !path.slice(prefix.length).includes('.'))
    .map((path) => path.slice(prefix.length))
}

/** Joins a section path and a key: `joinPath('transport', 'streams')` → `transport.streams`. */
export function joinPath(sectionPath: string, key: string): string {
  return sectionPath === '' ? key : `${sectionPath}.${key}`
}
