import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, childKeys } from './schema-keys.js'
import { expectConfigError } from './test-fixtures/expect-config-error.js'
import { validateConfig } from './validate-config.js'

/** A document with `value` at the dotted `keyPath`, over a base that reaches every section's reader. */
function documentWith(keyPath: string, value: unknown): Record<string, unknown> {
  const document: Record<string, unknown> = { mode: 'datacenter', tls: { enabled: false } }
  const segments = keyPath.split('.')
  let section = document
  for (const segment of segments.slice(0, -1)) {
    section[segment] = { ...((section[segment] as object | undefined) ?? {}) }
    section = section[segment] as Record<string, unknown>
  }
  section[segments[segments.length - 1] as string] = value
  return document
}

describe('the key table', () => {
  const leaves = Object.keys(CONFIG_KEYS).filter((keyPath) => CONFIG_KEYS[keyPath] !== 'section')

  it.each(leaves)(
    '%s is read by the validator (a map there is a type error, not an unknown key)',
    (keyPath) => {
      expectConfigError(() => validateConfig(documentWith(keyPath, { x: 1 })), keyPath, /^expected /)
    },
  )

  it('lists the top-level sections of DESIGN §8 and the runbook', () => {
    expect(childKeys('')).toEqual([
      'mode',
      'transport',
      'compression',
      'prediction',
      'sync',
      'consensus',
      'resources',
      'tls',
      'authentication',
      'server',
      'cluster',
      'logging',
    ])
  })
})
