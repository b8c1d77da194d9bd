import { UcxError } from '@dwcp/core'

/** Statuses by which UCX reports that the peer or the path to it is gone. */
export const PEER_FAILURE_STATUSES: ReadonlySet<string> = new Set([
  'UCS_ERR_CONNECTION_RESET',
  'UCS_ERR_ENDPOINT_TIMEOUT',
  'UCS_ERR_UNREACHABLE',
  'UCS_ERR_NOT_CONNECTED',
  'UCS_ERR_IO_ERROR',
  'UCS_ERR_REJECTED',
  'UCS_ERR_CANCELED',
])

/** Turns what the addon throws or rejects with into a typed {@link UcxError}. */
export function toUcxError(error: unknown, operation: string): UcxError {
  if (error instanceof UcxError) return error
  const native = error as { ucsStatus?: number; ucsStatusName?: string; operation?: string; message?: string }
  if (typeof native?.ucsStatusName === 'string') {
    return new UcxError(
      native.operation ?? operation,
      native.ucsStatus ?? -1,
      native.ucsStatusName,
      native.message,
    )
  }
  return new UcxError(operation, -1, 'UCS_ERR_INVALID_PARAM', String((error as Error)?.message ?? error))
}

/** Whether a UCX error means the peer is gone (rather than a local misuse). */
export function isPeerFailure(error: UcxError): boolean {
  return PEER_FAILURE_STATUSES.has(error.data.statusName)
}
