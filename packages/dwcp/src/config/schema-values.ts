/**
 * The value types of the configuration schema (schema.ts), built on valibot: each builder returns an optional
 * schema whose messages say what was expected and what was found, and whose metadata carries the key's kind
 * (for `config set` and the key table) and its description (for the JSON Schema editors read). Durations,
 * sizes and rates are in schema-units.ts.
 */

import { TLS13_CIPHER_SUITES } from '@dwcp/amst'
import { ConfigInvalidError } from '@dwcp/core'
import * as v from 'valibot'
import { describeValue, didYouMean } from './suggest.js'

/** Longest string value accepted (paths, ids, addresses): bounds what a config can make us hold. */
export const MAX_STRING_LENGTH = 4096

/** Most entries accepted in a list value. */
export const MAX_LIST_LENGTH = 1024

/** The kind of value a key takes, as written in YAML. */
export type KeyKind =
  | 'section'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'duration'
  | 'size'
  | 'rate'
  | 'string-list'
  | 'member-list'

/** What every key's metadata holds. */
export interface KeyMetadata {
  /** How the value is written. */
  readonly kind: KeyKind
  /** What the key changes, for the JSON Schema and its readers. */
  readonly description: string
  /** Set on keys this release refuses: why (shown in the JSON Schema and in the refusal). */
  readonly refused?: string
  /** Allows an index signature for valibot's metadata type. */
  readonly [key: string]: unknown
}

/** What a message function of valibot receives; only the input is read. */
type Issue = { readonly input: unknown }

/** The reason of an empty (null) value: YAML's `key:` with nothing after it. */
const NO_VALUE = 'has no value (remove the key to take the default)'

/** A message function that answers {@link NO_VALUE} for null and `reason(input)` otherwise. */
export function message(reason: (input: unknown) => string): (issue: Issue) => string {
  return (issue) => (issue.input === null ? NO_VALUE : reason(issue.input))
}

/** Whether `value` is a YAML map (not a list, not null). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The reason a config parser gives for `input` (its ConfigInvalidError's), or its message. */
export function reasonOf(error: unknown): string {
  if (error instanceof ConfigInvalidError) return error.data.reason
  return error instanceof Error ? error.message : String(error)
}

/** The metadata action every key's schema ends with (its kind, description and refusal, if any). */
export function meta<T>(kind: KeyKind, description: string, refused?: string) {
  return v.metadata<T, KeyMetadata>({ kind, description, ...(refused ? { refused } : {}) })
}

/** An integer in `min..max`. */
export function integer(min: number, max: number, description: string) {
  const reason = message((input) =>
    typeof input === 'number' && Number.isInteger(input)
      ? `expected an integer in ${min}..${max}, got ${input}`
      : `expected an integer in ${min}..${max}, got ${describeValue(input)}`,
  )
  return v.optional(
    v.pipe(
      v.number(reason),
      v.integer(reason),
      v.minValue(min, reason),
      v.maxValue(max, reason),
      meta<number>('integer', description),
    ),
  )
}

/** A number (fractions allowed) in `min..max`. */
export function decimal(min: number, max: number, description: string) {
  const reason = message((input) =>
    typeof input === 'number' && Number.isFinite(input)
      ? `expected a number in ${min}..${max}, got ${input}`
      : `expected a number in ${min}..${max}, got ${describeValue(input)}`,
  )
  return v.optional(
    v.pipe(
      v.number(reason),
      v.minValue(min, reason),
      v.maxValue(max, reason),
      meta<number>('number', description),
    ),
  )
}

/** `true` or `false` (YAML 1.2: not `yes`/`on`). */
export function boolean(description: string) {
  const reason = message((input) => `expected true or false, got ${describeValue(input)}`)
  return v.optional(v.pipe(v.boolean(reason), meta<boolean>('boolean', description)))
}

/** One of `allowed`, with a suggestion for a near miss. */
export function oneOf<const T extends readonly [string, ...string[]]>(allowed: T, description: string) {
  const reason = message(
    (input) =>
      `expected one of ${allowed.join(', ')}, got ${describeValue(input)}${typeof input === 'string' ? didYouMean(input, allowed) : ''}`,
  )
  return v.optional(v.pipe(v.picklist(allowed, reason), meta<T[number]>('string', description)))
}

/** Any text: the pattern of strings whose shape a resolver checks (addresses, hosts). */
const ANY_TEXT = /^[^\0]*$/

/** The pieces of a bounded, non-empty string. */
function textPipe(pattern: RegExp | undefined, patternName: string | undefined) {
  const typeReason = message((input) => `expected a string, got ${describeValue(input)}`)
  const lengthReason = message(
    (input) => `expected 1..${MAX_STRING_LENGTH} characters, got ${(input as string).length}`,
  )
  const patternReason = message(
    (input) =>
      `expected ${patternName ?? (pattern ? pattern.source : 'text without NUL characters')}, got ${describeValue(input)}`,
  )
  return [
    v.string(typeReason),
    v.minLength<string, 1, typeof lengthReason>(1, lengthReason),
    v.maxLength<string, number, typeof lengthReason>(MAX_STRING_LENGTH, lengthReason),
    v.regex<string, typeof patternReason>(pattern ?? ANY_TEXT, patternReason),
  ] as const
}

/** A non-empty string of at most {@link MAX_STRING_LENGTH} characters matching `pattern`. */
export function text(description: string, pattern?: RegExp, patternName?: string) {
  return v.optional(v.pipe(...textPipe(pattern, patternName), meta<string>('string', description)))
}

/** A string key that must be present (member ids and addresses). */
export function requiredText(description: string, pattern?: RegExp, patternName?: string) {
  return v.pipe(...textPipe(pattern, patternName), meta<string>('string', description))
}

/** An absolute file path. */
export function filePath(description: string) {
  return text(description, /^\/[^\0]*$/, 'an absolute path (starting with /)')
}

/** The pieces of a non-empty list. */
function listPipe<T extends v.GenericSchema>(item: T, what: string) {
  const reason = message((input) => `expected a list of ${what}, got ${describeValue(input)}`)
  const lengthReason = message(
    (input) => `expected 1..${MAX_LIST_LENGTH} entries, got ${(input as unknown[]).length}`,
  )
  return [
    v.array(item, reason),
    v.minLength<v.InferOutput<T>[], 1, typeof lengthReason>(1, lengthReason),
    v.maxLength<v.InferOutput<T>[], number, typeof lengthReason>(MAX_LIST_LENGTH, lengthReason),
  ] as const
}

/** A non-empty list of non-empty strings. */
export function stringList(description: string) {
  const item = v.pipe(
    v.string(message((input) => `expected a non-empty string, got ${describeValue(input)}`)),
    v.minLength<string, 1, string>(1, 'expected a non-empty string, got the string ""'),
    v.maxLength<string, number, string>(
      MAX_STRING_LENGTH,
      `expected at most ${MAX_STRING_LENGTH} characters`,
    ),
  )
  return v.optional(v.pipe(...listPipe(item, 'strings'), meta<string[]>('string-list', description)))
}

/** A non-empty list of TLS 1.3 cipher suites by IANA name. */
export function cipherSuiteList(description: string) {
  const item = v.picklist(
    TLS13_CIPHER_SUITES as unknown as [string, ...string[]],
    message((input) =>
      typeof input === 'string'
        ? `not a TLS 1.3 cipher suite: ${input}${didYouMean(input, TLS13_CIPHER_SUITES)}; known: ${TLS13_CIPHER_SUITES.join(', ')}`
        : `expected a non-empty string, got ${describeValue(input)}`,
    ),
  )
  return v.optional(v.pipe(...listPipe(item, 'strings'), meta<string[]>('string-list', description)))
}

/**
 * A map of `entries`, refusing a list or a scalar, and any key it does not list with the nearest known key.
 * `path` is the section's key path ('' for the top level), for the reasons.
 */
export function strictMap<const E extends v.ObjectEntries>(path: string, entries: E, description: string) {
  const known = Object.keys(entries)
  const unknownKey = (key: string) =>
    `unknown key${didYouMean(key, known)}; known keys${path ? ` of ${path}` : ''}: ${known.join(', ')}`
  const notMap = message((input) => `expected a map of keys, got ${describeValue(input)}`)
  const objectMessage = (issue: Issue & { readonly expected: string | null; readonly received: string }) => {
    if (issue.expected === 'never') return unknownKey(JSON.parse(issue.received) as string)
    if (issue.input === undefined) return 'required'
    return notMap(issue)
  }
  const object = v.strictObject(entries, objectMessage)
  return v.pipe(
    // Valibot's objects take lists too (a list is an object to JavaScript): refuse them first.
    v.custom<Record<string, unknown>>(isMap, notMap),
    // Unknown keys before the known ones' values: a misspelt key explains the "required" that would follow.
    v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
      const input = dataset.value as Record<string, unknown>
      const key = Object.keys(input).find((name) => !Object.hasOwn(entries, name))
      if (key === undefined) return
      addIssue({
        message: unknownKey(key),
        path: [{ type: 'object', origin: 'value', input, key, value: input[key] }],
      })
    }),
    object,
    meta<v.InferOutput<typeof object>>('section', description),
  )
}

/** An optional section: a {@link strictMap} that may be left out. */
export function section<const E extends v.ObjectEntries>(path: string, entries: E, description: string) {
  return v.optional(strictMap(path, entries, description))
}

/** A list of maps (`cluster.members`). */
export function mapList<T extends v.GenericSchema>(
  item: T,
  what: string,
  maxEntries: number,
  description: string,
) {
  const reason = message((input) => `expected a list of ${what}, got ${describeValue(input)}`)
  const lengthReason = message(
    (input) => `expected at most ${maxEntries} entries, got ${(input as unknown[]).length}`,
  )
  return v.optional(
    v.pipe(
      v.array(item, reason),
      v.maxLength<v.InferOutput<T>[], number, typeof lengthReason>(maxEntries, lengthReason),
      meta<v.InferOutput<T>[]>('member-list', description),
    ),
  )
}

/**
 * A key this release refuses whatever its value: the value is still type-checked by `schema` (so a typo in
 * it is reported as such), then refused with `reason`, which the JSON Schema carries too.
 */
export function refused<T extends v.GenericSchema>(schema: v.OptionalSchema<T, undefined>, reason: string) {
  const inner = schema.wrapped
  const kind = metadataOf(inner)?.kind ?? 'string'
  const description = metadataOf(inner)?.description ?? ''
  return v.optional(
    v.pipe(
      inner,
      v.rawCheck(({ addIssue }) => addIssue({ message: `not supported by this release: ${reason}` })),
      meta<v.InferOutput<T>>(kind, description, reason),
    ),
  )
}

/** The {@link KeyMetadata} of `schema` (through `optional` wrappers and pipes), if it has one. */
export function metadataOf(schema: unknown): KeyMetadata | undefined {
  let current = schema as { type?: string; wrapped?: unknown; pipe?: readonly unknown[] } | undefined
  while (current?.type === 'optional') current = current.wrapped as typeof current
  const pipe = current?.pipe ?? []
  for (let index = pipe.length - 1; index >= 0; index--) {
    const item = pipe[index] as { type?: string; metadata?: KeyMetadata }
    if (item.type === 'metadata' && item.metadata?.kind !== undefined) return item.metadata
  }
  return undefined
}

/** The object entries of a {@link strictMap} (through `optional`, pipes and arrays), if `schema` is one. */
export function entriesOf(schema: unknown): v.ObjectEntries | undefined {
  let current = schema as { type?: string; wrapped?: unknown; item?: unknown; pipe?: readonly unknown[] }
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current.type === 'optional') current = current.wrapped as typeof current
    else if (current.type === 'array') current = current.item as typeof current
    else if (current.pipe) {
      const object = current.pipe.find((item) => (item as { type?: string }).type === 'strict_object')
      if (object) return (object as { entries: v.ObjectEntries }).entries
      const array = current.pipe.find((item) => (item as { type?: string }).type === 'array')
      if (!array) return undefined
      current = array as typeof current
    } else return undefined
  }
  return undefined
}

/** TLS versions written below 1.3, which get their own reason. */
const OLDER_TLS: readonly unknown[] = [
  '1.2',
  '1.1',
  '1.0',
  'TLSv1.2',
  'TLSv1.1',
  'TLSv1',
  'TLSv1.0',
  1.2,
  1.1,
  1,
]

/** `tls.min_version`: `"1.3"`, `TLSv1.3` or the YAML number 1.3. */
export function tlsVersion(description: string) {
  const reason = message((input) =>
    OLDER_TLS.includes(input)
      ? `${String(input)} is below TLS 1.3; DWCP speaks TLS 1.3 only ("1.3")`
      : `expected "1.3" or "TLSv1.3", got ${describeValue(input)}`,
  )
  return v.optional(
    v.pipe(
      v.union([v.picklist(['1.3', 'TLSv1.3']), v.literal(1.3)], reason),
      meta<'1.3' | 'TLSv1.3' | 1.3>('string', description),
    ),
  )
}
