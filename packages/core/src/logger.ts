/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>

/**
 * The logging surface components use: a subset of pino's, so a pino logger can be passed as is.
 * Lines are structured (fields first, then a message).
 */
export interface Logger {
  /** Verbose detail for debugging a single component. */
  debug(fields: LogFields, message?: string): void
  /** Normal operation worth a line: start, stop, a transition. */
  info(fields: LogFields, message?: string): void
  /** Something unexpected that the component handled (a fallback, a retry). */
  warn(fields: LogFields, message?: string): void
  /** An operation failed. */
  error(fields: LogFields, message?: string): void
  /** A logger with these fields bound to every line. */
  child(bindings: LogFields): Logger
}

/** A logger that drops every line: the default when a host supplies none. */
export function silentLogger(): Logger {
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error() {},
    child: () => logger,
  }
  return logger
}
