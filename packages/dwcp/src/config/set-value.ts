/**
 * `dwcp config set key=value`: the value is typed by the key (numbers, booleans, comma-separated lists;
 * durations, sizes and rates stay text for their own parsers), written into a copy of the document and the
 * whole result validated before it is returned, so a bad assignment leaves the original untouched.
 */

import { ConfigInvalidError } from '@dwcp/core'
import { CONFIG_KEYS, SECTION_ALIASES } from './schema-keys.js'
import { isMap } from './schema-values.js'
import { didYouMean } from './suggest.js'
import type { DwcpConfig } from './types.js'
import { validateConfig } from './validate-config.js'

const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/

/** Keys `config set` can write: every leaf but the member list (use `dwcp cluster join`). */
const SETTABLE = Object.keys(CONFIG_KEYS).filter(
  (path) => CONFIG_KEYS[path] !== 'section' && CONFIG_KEYS[path] !== 'member-list',
)

/**
 * Applies `assignment` (`resources.memory.limit=64GB`, `mode=datacenter`, `hde.ml_enabled=true`) to a copy
 * of `config.raw` and validates the result.
 *
 * @returns the new configuration; `config` is unchanged (it is frozen)
 * @throws ConfigInvalidError for an unknown key, a value of the wrong type, or a resulting config that is
 *   invalid as a whole
 */
export function setConfigValue(config: DwcpConfig, assignment: string): DwcpConfig {
  const equals = assignment.indexOf('=')
  if (equals <= 0)
    throw new ConfigInvalidError(
      assignment.slice(0, 64) || '(assignment)',
      'expected key=value, e.g. resources.memory.limit=64GB',
    )
  const keyPath = canonicalKey(assignment.slice(0, equals).trim())
  const value = typedValue(keyPath, assignment.slice(equals + 1).trim())
  const document = structuredClone(config.raw) as Record<string, unknown>
  const segments = keyPath.split('.')
  let section = document
  segments.slice(0, -1).forEach((segment, index) => {
    const next = section[segment] ?? {}
    if (!isMap(next))
      throw new ConfigInvalidError(
        segments.slice(0, index + 1).join('.'),
        'is not a section in the current config',
      )
    section[segment] = next
    section = next
  })
  section[segments[segments.length - 1] as string] = value
  return validateConfig(document, { sources: config.sources })
}

/** The schema's key for `written`, after section aliases (`hde.` → `compression.`). */
function canonicalKey(written: string): string {
  const [first = '', ...rest] = written.split('.')
  const keyPath = [Object.hasOwn(SECTION_ALIASES, first) ? SECTION_ALIASES[first] : first, ...rest].join('.')
  if (!SETTABLE.includes(keyPath)) {
    const reason =
      CONFIG_KEYS[keyPath] === 'member-list'
        ? 'members are changed with dwcp cluster join, or in the file'
        : CONFIG_KEYS[keyPath] === 'section'
          ? 'is a section; set one of its keys'
          : `unknown key${didYouMean(keyPath, SETTABLE)}`
    throw new ConfigInvalidError(written, reason)
  }
  return keyPath
}

/** Converts the text after `=` to what YAML would have produced for this key. */
function typedValue(keyPath: string, text: string): unknown {
  if (text === '') throw new ConfigInvalidError(keyPath, 'empty value')
  switch (CONFIG_KEYS[keyPath]) {
    case 'integer':
    case 'number':
      if (!NUMBER.test(text))
        throw new ConfigInvalidError(keyPath, `expected a number, got ${JSON.stringify(text)}`)
      return Number(text)
    case 'boolean':
      if (text !== 'true' && text !== 'false')
        throw new ConfigInvalidError(keyPath, `expected true or false, got ${JSON.stringify(text)}`)
      return text === 'true'
    case 'string-list':
      return text.split(',').map((item) => item.trim())
    default:
      return text
  }
}
