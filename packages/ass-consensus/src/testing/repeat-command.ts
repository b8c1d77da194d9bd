import { isAbsolute, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SEED_ENV } from './seed-range.js'

/**
 * The shell command that runs one test with one seed:
 * `DWCP_SIM_SEED=<seed> pnpm vitest run <testFile> -t "<testName>"`. A `file:` URL (`import.meta.url`) or an
 * absolute path is made relative to the working directory. The name is escaped for vitest's `-t`, which
 * reads a regular expression, and quoted for a POSIX shell.
 */
export function repeatCommand(seed: number, testFile: string, testName: string): string {
  const path = testFile.startsWith('file:') ? fileURLToPath(testFile) : testFile
  const file = isAbsolute(path) ? relative(process.cwd(), path) || path : path
  const pattern = testName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return `${SEED_ENV.seed}=${seed} pnpm vitest run ${shellQuote(file)} -t ${shellQuote(pattern, true)}`
}

/**
 * Quotes `text` for a POSIX shell: as is when plain, in double quotes when nothing in it would expand there (a
 * backslash stays literal in double quotes unless it precedes `$`, a backquote, `"`, `\` or a newline), else in
 * single quotes.
 */
function shellQuote(text: string, alwaysQuote = false): string {
  if (!alwaysQuote && /^[\w./@%+=:,-]+$/.test(text)) return text
  if (!/["$`!\n]|\\\\/.test(text)) return `"${text}"`
  return `'${text.replaceAll("'", `'\\''`)}'`
}
