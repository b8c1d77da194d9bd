/**
 * "Did you mean" suggestions for near misses (a key or a unit one or two edits away from a known one), so a
 * typo in a config file is reported as a typo rather than only as "unknown".
 */

/** Longest word compared; longer inputs are never near misses and are not worth a quadratic comparison. */
const MAX_COMPARED_LENGTH = 64

/** Levenshtein distance between `a` and `b` (insertions, deletions and substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] as number
}

/**
 * The candidate closest to `word` (compared case-insensitively), if it is at most `maxDistance` edits away;
 * the first candidate wins a tie, so callers list the likelier spellings first.
 */
export function closestMatch(
  word: string,
  candidates: readonly string[],
  maxDistance = 2,
): string | undefined {
  if (word.length > MAX_COMPARED_LENGTH) return undefined
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = maxDistance + 1
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** ` (did you mean X?)` when a candidate is close to `word`, else the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates)
  return match === undefined ? '' : ` (did you mean ${match}?)`
}

/** A short description of a YAML value for error reasons: `the number 5`, `a list`, `the string "x"`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'boolean') return `the boolean ${value}`
  if (typeof value === 'object') return 'a map'
  return `a ${typeof value}`
}
