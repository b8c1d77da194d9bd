import { StateCorruptError } from '@dwcp/core'

/** SQLite result codes (primary or extended) that mean the file's content cannot be trusted. */
const CORRUPT_CODE = /^SQLITE_(NOTADB|CORRUPT)/

/**
 * Maps an error thrown by better-sqlite3 to the DWCP error a caller can act on: a file that is not a database
 * or fails SQLite's own consistency checks becomes a {@link StateCorruptError}; anything else (disk full, I/O
 * error, a bug) is returned unchanged, since retrying or reporting it is the caller's call.
 */
export function translateSqliteError(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && CORRUPT_CODE.test(code)) {
    return new StateCorruptError(path, `${code}: ${(error as Error).message}`)
  }
  return error
}
