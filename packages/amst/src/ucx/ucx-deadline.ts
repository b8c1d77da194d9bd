import { type Clock, TimeoutError } from '@dwcp/core'

/**
 * Settles like `promise`, or rejects with `DWCP_ERR_TIMEOUT` naming `operation` once `timeoutMs` passed on
 * `clock` (the timer is cleared either way).
 */
export function withDeadline<T>(
  promise: Promise<T>,
  clock: Clock,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new TimeoutError(operation, timeoutMs)), timeoutMs)
    promise.then(
      (value) => {
        clock.clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clock.clearTimeout(timer)
        reject(error)
      },
    )
  })
}
