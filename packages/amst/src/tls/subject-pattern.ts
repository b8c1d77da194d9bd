/**
 * Allow-list entries for peer certificate subjects, as the runbook writes them (`CN=node-*.datacenter.local`,
 * `CN=node-1.dc.local,O=DWCP`), and matching a certificate's subject against them.
 *
 * Grammar (RFC 4514, reduced): comma-separated `name=value` pairs. Names are letters, digits and `-`
 * (`CN`, `O`, `OU`, `emailAddress`; OID form is refused) and compare case-insensitively. Values are trimmed;
 * `\,` `\=` `\+` `\\` `\*` (and the other RFC 4514 specials) and `\XX` hex pairs escape. An unescaped `+`
 * (a multi-valued RDN) is refused.
 *
 * Wildcards: an unescaped `*` matches ONE OR MORE characters.
 * - A value that is exactly `*` matches any non-empty value (`CN=*`: any certificate with a CN).
 * - In a `CN` whose pattern looks like a DNS name (letters, digits, `-`, `_`, `*` and non-empty dot-separated
 *   labels), a `*` stays inside one label, as in RFC 6125: `CN=node-*.datacenter.local` matches
 *   `node-7.datacenter.local` but neither `node-.datacenter.local` nor `node-7.evil.datacenter.local`, and
 *   `CN=node-*` matches `node-7` but not `node-7.evil.org`.
 * - Anywhere else a `*` matches any characters.
 *
 * Case: `CN` values compare case-insensitively (DNS names); every other value compares exactly.
 * Every attribute of a pattern must match; attributes the pattern does not name are ignored; for an attribute
 * the certificate repeats (several `OU`), one of its values matching is enough.
 */

import { ConfigInvalidError } from '@dwcp/core'
import { type CertificateSubject, type DnCharacter, lexDistinguishedName } from './distinguished-name.js'

/** Longest allow-list entry accepted, in characters. */
export const MAX_SUBJECT_PATTERN_LENGTH = 1024

/** Most entries accepted in one allow-list. */
export const MAX_ALLOWED_SUBJECTS = 256

/** Longest certificate attribute value compared; a longer value matches nothing. */
export const MAX_SUBJECT_VALUE_LENGTH = 4096

/** Config key path of the allow-list, used in {@link ConfigInvalidError}s. */
export const ALLOWED_SUBJECTS_KEY_PATH = 'authentication.allowed_subjects'

/** A piece of a pattern value: literal text, or a `*` wildcard. */
export type PatternToken = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'wildcard' }

/**
 * How a value with wildcards is compared: `any-value` (the value is exactly `*`), `dns-label` (a `*` stays
 * within one DNS label) or `text` (a `*` matches any characters).
 */
export type WildcardScope = 'any-value' | 'dns-label' | 'text'

/** One `name=value` requirement of a {@link SubjectPattern}. */
export interface AttributePattern {
  /** Attribute name, upper-cased (`CN`, `O`, `EMAILADDRESS`). */
  readonly name: string
  /** The value, split into literal text and wildcards; literal text of a `CN` is lower-cased. */
  readonly tokens: readonly PatternToken[]
  /** How wildcards in this value are scoped. */
  readonly scope: WildcardScope
  /** Whether the value compares case-insensitively (true for `CN`). */
  readonly caseInsensitive: boolean
}

/** A parsed allow-list entry. */
export interface SubjectPattern {
  /** The entry as configured. */
  readonly source: string
  /** Requirements, all of which a subject must meet. */
  readonly attributes: readonly AttributePattern[]
}

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]*$/
const DNS_CHARACTER = /^[A-Za-z0-9_.-]$/

function splitUnescaped(chars: readonly DnCharacter[], separator: string): DnCharacter[][] {
  const parts: DnCharacter[][] = [[]]
  for (const ch of chars) {
    if (ch.text === separator && !ch.escaped) parts.push([])
    else parts[parts.length - 1]!.push(ch)
  }
  return parts
}

function trimUnescaped(chars: readonly DnCharacter[]): DnCharacter[] {
  let start = 0
  let end = chars.length
  while (start < end && !chars[start]!.escaped && /\s/.test(chars[start]!.text)) start += 1
  while (end > start && !chars[end - 1]!.escaped && /\s/.test(chars[end - 1]!.text)) end -= 1
  return chars.slice(start, end)
}

function isDnsShaped(tokens: readonly PatternToken[]): boolean {
  let shape = ''
  for (const token of tokens) {
    if (token.kind === 'wildcard') shape += '*'
    else if (Array.from(token.text).every((ch) => DNS_CHARACTER.test(ch))) shape += token.text
    else return false
  }
  return shape.split('.').every((label) => label.length > 0)
}

function parseValue(chars: readonly DnCharacter[], caseInsensitive: boolean): PatternToken[] | string {
  const tokens: PatternToken[] = []
  let literal = ''
  for (const ch of chars) {
    if (ch.escaped || (ch.text !== '*' && ch.text !== '+')) {
      literal += ch.text
      continue
    }
    if (ch.text === '+') return 'multi-valued RDNs (+) are not supported; write \\+ for a literal plus'
    if (literal.length > 0)
      tokens.push({ kind: 'literal', text: caseInsensitive ? literal.toLowerCase() : literal })
    else if (tokens.length > 0) return 'two wildcards in a row'
    literal = ''
    tokens.push({ kind: 'wildcard' })
  }
  if (literal.length > 0)
    tokens.push({ kind: 'literal', text: caseInsensitive ? literal.toLowerCase() : literal })
  return tokens
}

function parseAttribute(chars: readonly DnCharacter[], index: number): AttributePattern | string {
  const equals = chars.findIndex((ch) => ch.text === '=' && !ch.escaped)
  const where = `attribute ${index + 1}`
  if (equals < 0) return `${where} has no '=' (expected name=value)`
  const nameChars = trimUnescaped(chars.slice(0, equals))
  const name = nameChars.map((ch) => ch.text).join('')
  if (nameChars.some((ch) => ch.escaped) || !ATTRIBUTE_NAME.test(name))
    return `${where}: attribute name '${name}' must be letters, digits and '-' (like CN, O, OU)`
  const valueChars = trimUnescaped(chars.slice(equals + 1))
  if (valueChars.length === 0) return `${where} (${name}) has an empty value`
  const upper = name.toUpperCase()
  const caseInsensitive = upper === 'CN'
  const tokens = parseValue(valueChars, caseInsensitive)
  if (typeof tokens === 'string') return `${where} (${name}): ${tokens}`
  const only = tokens[0]
  const scope: WildcardScope =
    tokens.length === 1 && only?.kind === 'wildcard'
      ? 'any-value'
      : upper === 'CN' && isDnsShaped(tokens)
        ? 'dns-label'
        : 'text'
  return { name: upper, tokens, scope, caseInsensitive }
}

/**
 * Parses one allow-list entry (see the module documentation for the grammar and the wildcard rules).
 *
 * @param text - the entry, e.g. `CN=node-*.datacenter.local`
 * @param keyPath - where it came from, for errors
 * @throws {@link ConfigInvalidError} when the entry is malformed, naming `keyPath` and the reason
 */
export function parseSubjectPattern(text: string, keyPath = ALLOWED_SUBJECTS_KEY_PATH): SubjectPattern {
  if (typeof text !== 'string') throw new ConfigInvalidError(keyPath, `expected a string, got ${typeof text}`)
  if (text.length > MAX_SUBJECT_PATTERN_LENGTH)
    throw new ConfigInvalidError(keyPath, `longer than ${MAX_SUBJECT_PATTERN_LENGTH} characters`)
  if (text.trim().length === 0) throw new ConfigInvalidError(keyPath, 'empty subject pattern')
  const chars = lexDistinguishedName(text)
  if (typeof chars === 'string') throw new ConfigInvalidError(keyPath, `${JSON.stringify(text)}: ${chars}`)
  const attributes: AttributePattern[] = []
  for (const [index, part] of splitUnescaped(chars, ',').entries()) {
    if (trimUnescaped(part).length === 0)
      throw new ConfigInvalidError(keyPath, `${JSON.stringify(text)}: attribute ${index + 1} is empty`)
    const attribute = parseAttribute(part, index)
    if (typeof attribute === 'string')
      throw new ConfigInvalidError(keyPath, `${JSON.stringify(text)}: ${attribute}`)
    attributes.push(attribute)
  }
  return { source: text, attributes }
}

/**
 * Parses a whole allow-list; an error names the entry, as `authentication.allowed_subjects[2]`.
 *
 * @param entries - the configured entries
 * @param keyPath - the list's key path @default 'authentication.allowed_subjects'
 * @throws {@link ConfigInvalidError} when the list is not an array of strings, holds more than
 *   {@link MAX_ALLOWED_SUBJECTS} entries, or an entry is malformed
 */
export function parseAllowedSubjects(
  entries: readonly string[],
  keyPath = ALLOWED_SUBJECTS_KEY_PATH,
): SubjectPattern[] {
  if (!Array.isArray(entries)) throw new ConfigInvalidError(keyPath, 'expected a list of subject patterns')
  if (entries.length > MAX_ALLOWED_SUBJECTS)
    throw new ConfigInvalidError(keyPath, `more than ${MAX_ALLOWED_SUBJECTS} entries`)
  return entries.map((entry, index) => parseSubjectPattern(entry, `${keyPath}[${index}]`))
}

/** Matches `value` against `tokens` in O(pattern × value) time: no backtracking, whatever the input. */
function tokensMatch(tokens: readonly PatternToken[], value: string, dnsLabel: boolean): boolean {
  const units: (string | null)[] = []
  for (const token of tokens) {
    if (token.kind === 'wildcard') units.push(null)
    else for (const ch of token.text) units.push(ch)
  }
  const chars = Array.from(value)
  let previous = new Uint8Array(chars.length + 1)
  previous[0] = 1
  for (const unit of units) {
    const next = new Uint8Array(chars.length + 1)
    for (let j = 1; j <= chars.length; j += 1) {
      const ch = chars[j - 1]!
      if (unit === null) {
        const allowed = !dnsLabel || ch !== '.'
        next[j] = allowed && (previous[j - 1] === 1 || next[j - 1] === 1) ? 1 : 0
      } else {
        next[j] = previous[j - 1] === 1 && ch === unit ? 1 : 0
      }
    }
    previous = next
  }
  return previous[chars.length] === 1
}

function valueMatches(attribute: AttributePattern, value: string): boolean {
  if (value.length === 0 || value.length > MAX_SUBJECT_VALUE_LENGTH) return false
  if (attribute.scope === 'any-value') return true
  const subject = attribute.caseInsensitive ? value.toLowerCase() : value
  return tokensMatch(attribute.tokens, subject, attribute.scope === 'dns-label')
}

function valuesByName(subject: CertificateSubject): Map<string, string[]> {
  const byName = new Map<string, string[]>()
  for (const [name, raw] of Object.entries(subject)) {
    const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : []
    const key = name.toUpperCase()
    const list = byName.get(key) ?? []
    for (const value of values) if (typeof value === 'string') list.push(value)
    byName.set(key, list)
  }
  return byName
}

/** Whether `subject` meets every requirement of `pattern`. */
export function matchesSubject(pattern: SubjectPattern, subject: CertificateSubject): boolean {
  const byName = valuesByName(subject)
  return pattern.attributes.every((attribute) =>
    (byName.get(attribute.name) ?? []).some((value) => valueMatches(attribute, value)),
  )
}

/** The first entry of `allowList` that `subject` matches, or `undefined` when none does (or the list is empty). */
export function findMatchingPattern(
  allowList: readonly SubjectPattern[],
  subject: CertificateSubject,
): SubjectPattern | undefined {
  return allowList.find((pattern) => matchesSubject(pattern, subject))
}
