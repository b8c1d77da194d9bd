/** Helpers for the codec tests that catch what a call throws or rejects with, to check its code and reason. */
import { type DwcpErrorCode, isDwcpError } from '@dwcp/core'

/** What `run` throws; fails the test when it returns. */
export function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw, the call returned')
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection, the promise resolved')
}

/** Whether `err` is a DWCP error with `code` whose message matches `pattern` (when given). */
export function isError(err: unknown, code: DwcpErrorCode, pattern?: RegExp): boolean {
  if (!isDwcpError(err, code)) return false
  return pattern === undefined || pattern.test(err.message)
}

/** Fails with the error itself unless it is a DWCP error with one of `codes`: a typed failure, nothing else. */
export function assertTyped(err: unknown, codes: readonly DwcpErrorCode[]): void {
  if (!codes.some((code) => isDwcpError(err, code))) {
    throw new Error(`expected one of ${codes.join(', ')}, got: ${String(err)}`, { cause: err })
  }
}
