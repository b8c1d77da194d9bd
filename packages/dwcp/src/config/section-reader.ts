/**
 * Typed reads from one section of the parsed YAML, each refusing a wrong type or range with a
 * `ConfigInvalidError` that names the exact key path and says what was expected and what was found.
 */

import { ConfigInvalidError } from '@dwcp/core'
import { formatDurationMs, parseDurationMs } from './duration.js'
import { parseRateBps } from './rate.js'
import { childKeys, joinPath } from './schema-keys.js'
import { parseSizeBytes } from './size.js'
import { describeValue, didYouMean } from './suggest.js'

/** Longest string value accepted (paths, ids, addresses): bounds what a config can make us hold. */
export const MAX_STRING_LENGTH = 4096

/** Most entries accepted in a list value. */
export const MAX_LIST_LENGTH = 1024

/** Whether `value` is a YAML map (not a list, not null). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads the keys of one section; see the module comment. */
export class SectionReader {
  private constructor(
    /** Dotted path of the section ('' for the top level). */
    readonly path: string,
    private readonly values: Record<string, unknown>,
  ) {}

  /**
   * Opens the section at `path` holding `value` (absent or null: empty). Refuses a non-map and any key the
   * schema does not list under `path`, suggesting the nearest known key.
   */
  static open(value: unknown, path: string, known: readonly string[] = childKeys(path)): SectionReader {
    if (value === undefined || value === null) return new SectionReader(path, {})
    if (!isMap(value))
      throw new ConfigInvalidError(path || '(root)', `expected a map of keys, got ${describeValue(value)}`)
    for (const key of Object.keys(value)) {
      if (!known.includes(key))
        throw new ConfigInvalidError(
          joinPath(path, key),
          `unknown key${didYouMean(key, known)}; known keys${path ? ` of ${path}` : ''}: ${known.join(', ')}`,
        )
    }
    return new SectionReader(path, value)
  }

  /** The key path of `key` in this section. */
  keyPath(key: string): string {
    return joinPath(this.path, key)
  }

  /** Whether the file sets `key` (to anything but null). */
  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null
  }

  /** The value as written (for lists of maps, which their own validator reads). */
  rawValue(key: string): unknown {
    return this.values[key]
  }

  /** The sub-section `key`. */
  section(key: string): SectionReader {
    return SectionReader.open(this.values[key], this.keyPath(key))
  }

  private present(key: string): unknown {
    const value = this.values[key]
    if (value === null)
      throw new ConfigInvalidError(this.keyPath(key), 'has no value (remove the key to take the default)')
    return value
  }

  /** A non-empty string matching `pattern` (described as `patternName` in the reason). */
  string(key: string, pattern?: RegExp, patternName?: string): string | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    const keyPath = this.keyPath(key)
    if (typeof value !== 'string')
      throw new ConfigInvalidError(keyPath, `expected a string, got ${describeValue(value)}`)
    if (value.length === 0 || value.length > MAX_STRING_LENGTH)
      throw new ConfigInvalidError(
        keyPath,
        `expected 1..${MAX_STRING_LENGTH} characters, got ${value.length}`,
      )
    if (pattern && !pattern.test(value))
      throw new ConfigInvalidError(
        keyPath,
        `expected ${patternName ?? pattern.source}, got ${describeValue(value)}`,
      )
    return value
  }

  /** An absolute file path. */
  filePath(key: string): string | undefined {
    return this.string(key, /^\/[^\0]*$/, 'an absolute path (starting with /)')
  }

  /** One of `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
    const hint = typeof value === 'string' ? didYouMean(value, allowed) : ''
    throw new ConfigInvalidError(
      this.keyPath(key),
      `expected one of ${allowed.join(', ')}, got ${describeValue(value)}${hint}`,
    )
  }

  /** A number in `min..max`, a whole one when `integer`. */
  number(key: string, min: number, max: number, integer = true): number | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    const keyPath = this.keyPath(key)
    const kind = integer ? 'an integer' : 'a number'
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
      throw new ConfigInvalidError(keyPath, `expected ${kind} in ${min}..${max}, got ${describeValue(value)}`)
    if (value < min || value > max)
      throw new ConfigInvalidError(keyPath, `expected ${kind} in ${min}..${max}, got ${value}`)
    return value
  }

  /** `true` or `false` (YAML 1.2: not `yes`/`on`). */
  boolean(key: string): boolean | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    if (typeof value !== 'boolean')
      throw new ConfigInvalidError(this.keyPath(key), `expected true or false, got ${describeValue(value)}`)
    return value
  }

  /** A duration in `minMs..maxMs`, in milliseconds. */
  durationMs(key: string, minMs: number, maxMs: number): number | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    const keyPath = this.keyPath(key)
    const durationMs = parseDurationMs(value, keyPath)
    if (durationMs < minMs || durationMs > maxMs)
      throw new ConfigInvalidError(
        keyPath,
        `expected a duration in ${formatDurationMs(minMs)}..${formatDurationMs(maxMs)}, got ${String(value)}`,
      )
    return durationMs
  }

  /** A positive size in bytes; the unit is required (see size.ts). */
  sizeBytes(key: string): number | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    const sizeBytes = parseSizeBytes(value, this.keyPath(key), false)
    if (sizeBytes === 0) throw new ConfigInvalidError(this.keyPath(key), 'expected a size above 0')
    return sizeBytes
  }

  /** A positive rate in bits per second. */
  rateBps(key: string): number | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    const rateBps = parseRateBps(value, this.keyPath(key))
    if (rateBps === 0) throw new ConfigInvalidError(this.keyPath(key), 'expected a rate above 0')
    return rateBps
  }

  /** A non-empty list of non-empty strings, each checked by `check` (given its key path, e.g. `x[2]`). */
  stringList(key: string, check?: (item: string, keyPath: string) => void): string[] | undefined {
    const value = this.present(key)
    if (value === undefined) return undefined
    const keyPath = this.keyPath(key)
    if (!Array.isArray(value))
      throw new ConfigInvalidError(keyPath, `expected a list of strings, got ${describeValue(value)}`)
    if (value.length === 0 || value.length > MAX_LIST_LENGTH)
      throw new ConfigInvalidError(keyPath, `expected 1..${MAX_LIST_LENGTH} entries, got ${value.length}`)
    return value.map((item, index) => {
      const itemPath = `${keyPath}[${index}]`
      if (typeof item !== 'string' || item.length === 0 || item.length > MAX_STRING_LENGTH)
        throw new ConfigInvalidError(itemPath, `expected a non-empty string, got ${describeValue(item)}`)
      check?.(item, itemPath)
      return item
    })
  }
}
