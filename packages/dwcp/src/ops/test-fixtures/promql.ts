const COMPARISONS = ['==', '!=', '>=', '<=', '>', '<'] as const
const OPENERS = new Set(['(', '[', '{'])
const CLOSERS = new Set([')', ']', '}'])

/**
 * The left-hand side of an alert expression's top-level comparison (`A > 0.5` → `A`), or the expression itself
 * when it has none. An alert expression returns nothing while the alert is quiet, so "does it evaluate to data"
 * can only be asked of what it compares. Brackets, braces (where `=~`, `!=` are label matchers) and quoted
 * strings are skipped; the last comparison at depth 0 wins, which is the outermost one for `lhs <op> number`.
 */
export function leftOfTopLevelComparison(expr: string): string {
  let depth = 0
  let quote: string | undefined
  let at = -1
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = undefined
      continue
    }
    if (c === '"' || c === "'" || c === '`') quote = c
    else if (OPENERS.has(c)) depth++
    else if (CLOSERS.has(c)) depth--
    else if (depth === 0) {
      const op = COMPARISONS.find((o) => expr.startsWith(o, i))
      // `=~` and `!~` never occur at depth 0; a lone `=` is not PromQL outside matchers.
      if (op) {
        at = i
        i += op.length - 1
      }
    }
  }
  return at < 0 ? expr.trim() : expr.slice(0, at).trim()
}
