import type { LogFields, Logger } from '@dwcp/core'
import { type DestinationStream, type Logger as PinoLogger, pino, destination as pinoDestination } from 'pino'
import type { LoggingConfig } from '../config/types.js'

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
 * Structured JSON lines from pino (`level`, `time`, `msg`, fields), ready for Loki. Writes are synchronous
 * (`pino.destination({ sync: true })`): a log line must not be lost when the process exits right after it.
 * Errors in fields are logged as their message and code (pino's own serializer keeps only `err`).
 */
export function jsonLogger(options: JsonLoggerOptions = {}): JsonLogger {
  const state = { level: options.level ?? 'info' }
  const nowMs = options.nowMs ?? Date.now
  const stream: DestinationStream = options.write
    ? { write: options.write }
    : pinoDestination({ dest: options.file ?? 1, sync: true, append: true, mkdir: true })
  const root = pino(
    {
      level: state.level,
      base: undefined,
      timestamp: () => `,"time":${nowMs()}`,
      formatters: { level: (_label, number) => ({ level: number }) },
    },
    stream,
  )
  // pino children keep the level they were made with; `config set logging.level` must reach all of them.
  const loggers = new Set<WeakRef<PinoLogger>>([new WeakRef(root)])
  const make = (logger: PinoLogger): JsonLogger => {
    const emit = (level: 'debug' | 'info' | 'warn' | 'error', fields: LogFields, message?: string): void => {
      try {
        logger[level](serializable(fields), message)
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
        for (const ref of loggers) {
          const live = ref.deref()
          if (live) live.level = level
          else loggers.delete(ref)
        }
      },
      debug: (fields, message) => emit('debug', fields, message),
      info: (fields, message) => emit('info', fields, message),
      warn: (fields, message) => emit('warn', fields, message),
      error: (fields, message) => emit('error', fields, message),
      child: (more) => {
        const child = logger.child(serializable(more))
        loggers.add(new WeakRef(child))
        return make(child)
      },
    }
  }
  return make(root)
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
