/**
 * Finds the module specifiers a JavaScript or TypeScript source imports, without a parser dependency: a small
 * tokenizer drops comments, string contents and template text, then the import forms are read off the tokens.
 * Used by check-dependency-rule.mjs.
 */

/** Words after which a `/` starts a regular expression literal rather than a division. */
const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'extends',
])

/**
 * @typedef {{ specifier: string, line: number, typeOnly: boolean }} FoundImport
 * @typedef {{ type: 'name' | 'string' | 'number' | 'punct' | 'regex' | 'template', value: string, line: number }} Token
 */

/** @param {Token | undefined} prev */
function regexAllowedAfter(prev) {
  if (prev === undefined) return true
  if (prev.type === 'punct') return !')]}'.includes(prev.value)
  return prev.type === 'name' && REGEX_AFTER_WORDS.has(prev.value)
}

/** Index just past the regex literal starting at `start`, or -1 when it is not one (it ran into a newline). */
function regexLiteralEnd(source, start) {
  let inClass = false
  for (let j = start + 1; j < source.length; j++) {
    const ch = source[j]
    if (ch === '\n') return -1
    if (ch === '\\') j++
    else if (ch === '[') inClass = true
    else if (ch === ']') inClass = false
    else if (ch === '/' && !inClass) {
      let end = j + 1
      while (end < source.length && /[a-z]/i.test(source[end])) end++
      return end
    }
  }
  return -1
}

/**
 * Splits JS/TS source into names, string literals, numbers, punctuation and regex literals. Comments vanish;
 * template literal text becomes an empty `template` token (so `require('x')` inside it is not an import), while
 * `${…}` expressions inside templates are tokenized like any code.
 * @param {string} source
 * @returns {Token[]}
 */
function tokenize(source) {
  /** @type {Token[]} */
  const tokens = []
  /** @type {Array<'brace' | 'template'>} */
  const braces = []
  let i = source.startsWith('#!') ? source.indexOf('\n') : 0
  if (i === -1) i = source.length
  let line = 1
  const push = (type, value) => tokens.push({ type, value, line })
  const scanTemplate = () => {
    while (i < source.length) {
      const ch = source[i]
      if (ch === '\\') {
        if (source[i + 1] === '\n') line++
        i += 2
        continue
      }
      if (ch === '\n') line++
      i++
      if (ch === '`') return push('template', '')
      if (ch === '$' && source[i] === '{') {
        i++
        braces.push('template')
        return push('template', '')
      }
    }
  }
  while (i < source.length) {
    const ch = source[i]
    const next = source[i + 1]
    if (ch === '\n') {
      line++
      i++
    } else if (/\s/.test(ch)) {
      i++
    } else if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i)
      i = end === -1 ? source.length : end
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      const stop = end === -1 ? source.length : end + 2
      for (let j = i; j < stop; j++) if (source[j] === '\n') line++
      i = stop
    } else if (ch === '"' || ch === "'") {
      let value = ''
      let j = i + 1
      while (j < source.length && source[j] !== ch && source[j] !== '\n') {
        if (source[j] === '\\') {
          if (source[j + 1] === '\n') line++
          value += source[j + 1] ?? ''
          j += 2
        } else value += source[j++]
      }
      push('string', value)
      i = source[j] === ch ? j + 1 : j
    } else if (ch === '`') {
      i++
      scanTemplate()
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(ch)) {
      let j = i + 1
      while (j < source.length && /[\w$\u0080-\uffff]/.test(source[j])) j++
      push('name', source.slice(i, j))
      i = j
    } else if (/\d/.test(ch)) {
      let j = i + 1
      while (j < source.length && /[\w.]/.test(source[j])) j++
      push('number', source.slice(i, j))
      i = j
    } else if (ch === '/' && regexAllowedAfter(tokens.at(-1)) && regexLiteralEnd(source, i) !== -1) {
      const end = regexLiteralEnd(source, i)
      push('regex', source.slice(i, end))
      i = end
    } else if (ch === '}' && braces.at(-1) === 'template') {
      braces.pop()
      i++
      scanTemplate()
    } else {
      if (ch === '{') braces.push('brace')
      else if (ch === '}') braces.pop()
      push('punct', ch)
      i++
    }
  }
  return tokens
}

const isPunct = (token, value) => token?.type === 'punct' && token.value === value
const isName = (token, value) => token?.type === 'name' && (value === undefined || token.value === value)
const isString = (token) => token?.type === 'string'

/** `from '<specifier>'` at `j`, or null. */
function expectFrom(tokens, j, typeOnly) {
  return isName(tokens[j], 'from') && isString(tokens[j + 1])
    ? { specifier: tokens[j + 1].value, typeOnly }
    : null
}

/**
 * Reads the clause of `import … from '…'` or `export … from '…'` starting at `start` (just after the keyword).
 * Returns null for anything else (`export const`, `export { a }` without `from`, `import.meta`, …).
 */
function parseFromClause(tokens, start, keyword) {
  let j = start
  let typeOnly = false
  const typeIsBinding =
    isPunct(tokens[j + 1], ',') || (isName(tokens[j + 1], 'from') && isString(tokens[j + 2]))
  if (isName(tokens[j], 'type') && !typeIsBinding) {
    typeOnly = true
    j++
  }
  if (keyword === 'import' && isName(tokens[j]) && tokens[j].value !== 'from') {
    j++ // default binding
    if (!isPunct(tokens[j], ',')) return expectFrom(tokens, j, typeOnly)
    j++
  }
  if (isPunct(tokens[j], '*')) {
    j++
    if (isName(tokens[j], 'as')) j += 2
  } else if (isPunct(tokens[j], '{')) {
    j++
    while (j < tokens.length && !isPunct(tokens[j], '}')) {
      if (!isName(tokens[j]) && !isString(tokens[j]) && !isPunct(tokens[j], ',')) return null
      j++
    }
    j++
  } else return null
  return expectFrom(tokens, j, typeOnly)
}

/**
 * Finds the module specifiers a JS/TS source imports: `import … from`, `export … from`, `import '…'`,
 * `import('…')` and `require('…')`, with string-literal specifiers only. Comments, template literal text and
 * string contents never count; statements may span lines.
 * @param {string} source
 * @returns {FoundImport[]} `typeOnly` is true for `import type` / `export type` (and `typeof import('…')`).
 */
export function findImports(source) {
  const tokens = tokenize(source)
  /** @type {FoundImport[]} */
  const found = []
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]
    if (token.type !== 'name' || isPunct(tokens[k - 1], '.')) continue
    const [next, second, third] = [tokens[k + 1], tokens[k + 2], tokens[k + 3]]
    const add = (specifier, typeOnly) => found.push({ specifier, line: token.line, typeOnly })
    if (token.value === 'import') {
      if (isPunct(next, '(')) {
        if (isString(second) && (isPunct(third, ')') || isPunct(third, ','))) {
          add(second.value, isName(tokens[k - 1], 'typeof'))
        }
      } else if (isString(next)) add(next.value, false)
      else {
        const clause = parseFromClause(tokens, k + 1, 'import')
        if (clause) add(clause.specifier, clause.typeOnly)
      }
    } else if (token.value === 'export') {
      const clause = parseFromClause(tokens, k + 1, 'export')
      if (clause) add(clause.specifier, clause.typeOnly)
    } else if (token.value === 'require' && isPunct(next, '(') && isString(second) && isPunct(third, ')')) {
      add(second.value, false)
    }
  }
  return found
}
