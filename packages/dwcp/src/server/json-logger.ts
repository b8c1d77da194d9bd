import { appendFileSync } from 'node:fs'
import type { LogFields, Logger } from '@dwcp/core'
import type { LoggingConfig } from '../config/types.js'

/** Log levels in increasing severity, pino's numbers (so Loki queries written for pino work unchanged). */
const LEVEL_NUMBERS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity }

/** A level name of `logging.level`. */
export type LogLevel = LoggingConfig['level']

/** A {@link Logger} whose level can change while it runs (`dwcp config set logging.level=debug`). */
export interface JsonLogger extends Logger {
  /** The current level. */
  readonly level: LogLevel
  /** Changes the level of this logger and of every child made from it. */
  setLevel(level: LogLevel): void
}

/** Options of {@link jsonLogger}. */
export interface JsonLoggerOptions {
  /** @default 'info' */
  level?: LogLevel
  /** File the lines are appended to; absent: standard output. */
  file?: string
  /** Where lines go instead (tests, embedding); takes precedence over `file`. */
  write?: (line: string) => void
  /** Time source for the `time` field, in ms since the epoch. @default Date.now */
  nowMs?: () => number
}

/**
 * Structured JSON lines in pino's shape (`level`, `time`, `msg`, fields), for Loki. pino is not a dependency;
 * core's Logger is a subset of pino's, so a host may still pass a pino logger to `createNode` instead.
 * Appends are synchronous: a log line must not be lost when the process exits right after it.
 */
export function jsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const state = { level: options.level ?? 'info' }
  const nowMs = options.nowMs ?? Date.now
  const file = options.file
  const write =
    options.write ??
    (file === undefined
      ? (line: string) => process.stdout.write(line)
      : (line: string) => appendFileSync(file, line))
  const make = (bindings: LogFields): JsonLogger => {
    const emit = (level: keyof typeof LEVEL_NUMBERS, fields: LogFields, message?: string): void => {
      if (LEVEL_NUMBERS[level] < LEVEL_NUMBERS[state.level]) return
      const line = {
        level: LEVEL_NUMBERS[level],
        time: nowMs(),
        ...bindings,
        ...serializable(fields),
        ...(message === undefined ? {} : { msg: message }),
      }
      try {
        write(`${JSON.stringify(line)}\n`)
      } catch {
        // A full disk or a closed pipe must not take the server down with it.
      }
    }
    return {
      get level() {
        return state.level
      },
      setLevel(level) {
        state.level = level
      },
      debug: (fields, message) => emit('debug', fields, message),
      info: (fields, message) => emit('info', fields, message),
      warn: (fields, message) => emit('warn', fields, message),
      error: (fields, message) => emit('error', fields, message),
      child: (more) => make({ ...bindings, ...more }),
    }
  }
  return make({})
}

/** Errors as their message and code, since JSON.stringify turns an Error into `{}`. */
function serializable(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields))
    out[key] =
      value instanceof Error
        ? { message: value.message, ...('code' in value ? { code: (value as { code: unknown }).code } : {}) }
        : value
  return out
}
