/**
 * YAML text → plain data, with every problem a `ConfigInvalidError`: syntax errors carry `source:line:column`
 * and the key path nearest to them; a key written twice in one map is refused (YAML would silently keep one,
 * hiding which value the operator meant) with the paths and lines of both.
 */

import { ConfigInvalidError } from '@dwcp/core'
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'

/** Largest config text accepted, in characters. */
export const MAX_CONFIG_CHARS = 1 << 20

/** Most alias expansions accepted (bounds "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100

/** Parses `text` (named `source` in reasons) into plain objects, lists and scalars. */
export function parseYamlText(text: string, source: string): unknown {
  if (text.length > MAX_CONFIG_CHARS)
    throw new ConfigInvalidError(
      '(root)',
      `${source} has ${text.length} characters; the limit is ${MAX_CONFIG_CHARS}`,
    )
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false })
  const error = document.errors[0]
  if (error !== undefined) {
    const at = lineCounter.linePos(error.pos[0])
    const message = error.message.split('\n')[0]
    throw new ConfigInvalidError(
      keyPathAt(document.contents as Node | null, error.pos[0]) || '(root)',
      `YAML syntax error at ${source}:${at.line}:${at.col}: ${message}`,
    )
  }
  checkUniqueKeys(document.contents as Node | null, '', source, lineCounter)
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}
  } catch (cause) {
    throw new ConfigInvalidError('(root)', `${source}: ${(cause as Error).message}`)
  }
}

function keyName(key: unknown): string | undefined {
  return isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')
    ? String(key.value)
    : undefined
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

/** Refuses duplicate and non-scalar keys anywhere in the tree. */
function checkUniqueKeys(node: Node | null, path: string, source: string, lines: LineCounter): void {
  if (isSeq(node)) {
    node.items.forEach((item, index) => {
      checkUniqueKeys(item as Node | null, `${path}[${index}]`, source, lines)
    })
    return
  }
  if (!isMap(node)) return
  const seen = new Map<string, number>()
  for (const pair of node.items) {
    const key = keyName(pair.key)
    const offset = (pair.key as Node | null)?.range?.[0] ?? 0
    const at = lines.linePos(offset)
    if (key === undefined)
      throw new ConfigInvalidError(
        path || '(root)',
        `${source}:${at.line}:${at.col}: keys must be plain names`,
      )
    const keyPath = childPath(path, key)
    const first = seen.get(key)
    if (first !== undefined) {
      const firstAt = lines.linePos(first)
      throw new ConfigInvalidError(
        keyPath,
        `duplicate key: defined at ${source}:${firstAt.line}:${firstAt.col} and again at ${source}:${at.line}:${at.col}`,
      )
    }
    seen.set(key, offset)
    checkUniqueKeys(pair.value as Node | null, keyPath, source, lines)
  }
}

/** The path of the deepest key whose entry spans `offset`, '' when none does. */
function keyPathAt(node: Node | null, offset: number, path = ''): string {
  if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const range = (item as Node | null)?.range
      if (range && offset >= range[0] && offset <= range[2])
        return keyPathAt(item as Node, offset, `${path}[${index}]`)
    }
    return path
  }
  if (!isMap(node)) return path
  let found = path
  for (const pair of node.items) {
    if (!isPair(pair)) continue
    const key = keyName(pair.key)
    const start = (pair.key as Node | null)?.range?.[0]
    // A key that is not a plain name is the broken text itself (a line swallowed into a multi-line key).
    if (key === undefined || !/^[\w.-]+$/.test(key) || start === undefined || start > offset) continue
    // The last key starting before the error owns it: a bad line belongs to the entry above it.
    found = keyPathAt(pair.value as Node | null, offset, childPath(path, key))
  }
  return found
}
