/**
 * Test support: run an operation that must fail and return its typed error, or fail the test when it succeeds
 * or throws anything but a DWCP error with the expected code.
 */
import { type DwcpError, type DwcpErrorCode, isDwcpError } from '@dwcp/core'

/** The DWCP error `run` throws with `code`. */
export function thrownDwcpError(
  run: () => unknown,
  code: DwcpErrorCode = 'DWCP_ERR_FRAME_CORRUPT',
): DwcpError {
  let caught: unknown
  try {
    run()
  } catch (err) {
    caught = err
  }
  return asDwcpError(caught, code)
}

/** The DWCP error `promise` rejects with, with `code`. */
export async function rejectedDwcpError(
  promise: Promise<unknown>,
  code: DwcpErrorCode = 'DWCP_ERR_FRAME_CORRUPT',
): Promise<DwcpError> {
  let caught: unknown
  try {
    await promise
  } catch (err) {
    caught = err
  }
  return asDwcpError(caught, code)
}

/** The reason of the `DWCP_ERR_FRAME_CORRUPT` error `run` throws. */
export function corruptReason(run: () => unknown): string {
  return (thrownDwcpError(run).data as { reason: string }).reason
}

/**
 * Runs `decode`; returns true when it succeeds and false when it throws a frame error (corrupt or too large).
 * Anything else fails the test.
 */
export function decodesOrFrameError(decode: () => unknown): boolean {
  try {
    decode()
    return true
  } catch (err) {
    if (isDwcpError(err, 'DWCP_ERR_FRAME_CORRUPT') || isDwcpError(err, 'DWCP_ERR_FRAME_TOO_LARGE'))
      return false
    throw new Error(`untyped failure: ${String(err)}`, { cause: err })
  }
}

function asDwcpError(caught: unknown, code: DwcpErrorCode): DwcpError {
  if (caught === undefined) throw new Error(`expected ${code}, the operation succeeded`)
  if (!isDwcpError(caught, code))
    throw new Error(`expected ${code}, got ${String(caught)}`, { cause: caught })
  return caught
}
