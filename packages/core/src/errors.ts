/**
 * Typed errors with stable codes. One class per condition; each carries a `code` that never changes and a
 * `Symbol.for` brand so that `isDwcpError` works across two installed copies of this package.
 */

const BRAND = Symbol.for('dwcp.error')

/** Every stable error code DWCP throws or returns. */
export type DwcpErrorCode =
  | 'DWCP_ERR_ABORTED'
  | 'DWCP_ERR_TIMEOUT'
  | 'DWCP_ERR_INVALID_ARGUMENT'
  | 'DWCP_ERR_CONFIG_INVALID'
  | 'DWCP_ERR_NOT_STARTED'
  | 'DWCP_ERR_ALREADY_STARTED'
  | 'DWCP_ERR_COMPONENT_ABSENT'
  | 'DWCP_ERR_FRAME_CORRUPT'
  | 'DWCP_ERR_FRAME_TOO_LARGE'
  | 'DWCP_ERR_HANDSHAKE_REJECTED'
  | 'DWCP_ERR_PEER_UNAUTHORIZED'
  | 'DWCP_ERR_PEER_UNREACHABLE'
  | 'DWCP_ERR_ADDRESS_IN_USE'
  | 'DWCP_ERR_SESSION_CLOSED'
  | 'DWCP_ERR_QUEUE_FULL'
  | 'DWCP_ERR_TRANSFER_REJECTED'
  | 'DWCP_ERR_TRANSFER_FAILED'
  | 'DWCP_ERR_DIGEST_MISMATCH'
  | 'DWCP_ERR_NATIVE_UNAVAILABLE'
  | 'DWCP_ERR_SOCKET_OPTION'
  | 'DWCP_ERR_UCX'
  | 'DWCP_ERR_STATE_CORRUPT'
  | 'DWCP_ERR_STATE_FOREIGN'
  | 'DWCP_ERR_NOT_LEADER'

/** Base class of every DWCP error. Prefer {@link isDwcpError} over `instanceof`. */
export class DwcpError<Data extends object = Record<string, unknown>> extends Error {
  /** Stable, documented error code. */
  readonly code: DwcpErrorCode
  /** Structured data about the condition (peer, key path, sizes…). */
  readonly data: Data

  constructor(code: DwcpErrorCode, message: string, data: Data, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.data = data
    this.name = new.target.name
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * Whether `value` is a DWCP error (optionally with the given code). Works across duplicate installs because it
 * checks the `Symbol.for('dwcp.error')` brand rather than the class identity.
 */
export function isDwcpError(value: unknown, code?: DwcpErrorCode): value is DwcpError {
  if (typeof value !== 'object' || value === null) return false
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false
  return code === undefined || (value as DwcpError).code === code
}

/** An operation was cancelled through its AbortSignal. */
export class AbortedError extends DwcpError<{ reason?: unknown }> {
  constructor(reason?: unknown) {
    super('DWCP_ERR_ABORTED', 'the operation was aborted', { reason }, { cause: reason })
  }
}

/** An operation did not finish within its deadline. */
export class TimeoutError extends DwcpError<{ timeoutMs: number; operation: string }> {
  constructor(operation: string, timeoutMs: number) {
    super('DWCP_ERR_TIMEOUT', `${operation} timed out after ${timeoutMs} ms`, { operation, timeoutMs })
  }
}

/** A caller passed an argument outside its documented domain. */
export class InvalidArgumentError extends DwcpError<{ argument: string; reason: string }> {
  constructor(argument: string, reason: string) {
    super('DWCP_ERR_INVALID_ARGUMENT', `invalid ${argument}: ${reason}`, { argument, reason })
  }
}

/** A configuration value is unknown or malformed; `keyPath` names it (e.g. `transport.streams`). */
export class ConfigInvalidError extends DwcpError<{ keyPath: string; reason: string }> {
  constructor(keyPath: string, reason: string) {
    super('DWCP_ERR_CONFIG_INVALID', `config ${keyPath}: ${reason}`, { keyPath, reason })
  }
}

/** A component was used before `start()` resolved, or after `stop()`. */
export class NotStartedError extends DwcpError<{ component: string }> {
  constructor(component: string) {
    super('DWCP_ERR_NOT_STARTED', `${component} is not started`, { component })
  }
}

/** `start()` was called on a component that is already running. */
export class AlreadyStartedError extends DwcpError<{ component: string }> {
  constructor(component: string) {
    super('DWCP_ERR_ALREADY_STARTED', `${component} is already started`, { component })
  }
}

/** A node was asked for a part it does not have (not configured, or not built into this release). */
export class ComponentAbsentError extends DwcpError<{ component: string; reason: string }> {
  constructor(component: string, reason: string) {
    super('DWCP_ERR_COMPONENT_ABSENT', `${component} is absent: ${reason}`, { component, reason })
  }
}

/** A frame failed its integrity check or does not parse. The stream that carried it is closed. */
export class FrameCorruptError extends DwcpError<{ reason: string }> {
  constructor(reason: string) {
    super('DWCP_ERR_FRAME_CORRUPT', `corrupt frame: ${reason}`, { reason })
  }
}

/** A frame announced a length above the negotiated bound; nothing was allocated for it. */
export class FrameTooLargeError extends DwcpError<{ lengthBytes: number; maxBytes: number }> {
  constructor(lengthBytes: number, maxBytes: number) {
    super('DWCP_ERR_FRAME_TOO_LARGE', `frame of ${lengthBytes} bytes exceeds the bound of ${maxBytes}`, {
      lengthBytes,
      maxBytes,
    })
  }
}

/** The connection handshake failed: wrong magic, version, cluster, or malformed capabilities. */
export class HandshakeRejectedError extends DwcpError<{ reason: string }> {
  constructor(reason: string) {
    super('DWCP_ERR_HANDSHAKE_REJECTED', `handshake rejected: ${reason}`, { reason })
  }
}

/** A peer failed authentication (certificate, subject not in the allow-list, bad signature). */
export class PeerUnauthorizedError extends DwcpError<{ peer: string; reason: string }> {
  constructor(peer: string, reason: string) {
    super('DWCP_ERR_PEER_UNAUTHORIZED', `peer ${peer} unauthorized: ${reason}`, { peer, reason })
  }
}

/** Nothing listens at the dialled address, or the path to it is down. */
export class PeerUnreachableError extends DwcpError<{ address: string; reason: string }> {
  constructor(address: string, reason: string) {
    super('DWCP_ERR_PEER_UNREACHABLE', `cannot reach ${address}: ${reason}`, { address, reason })
  }
}

/** Another listener already holds the address. */
export class AddressInUseError extends DwcpError<{ address: string }> {
  constructor(address: string) {
    super('DWCP_ERR_ADDRESS_IN_USE', `address ${address} is in use`, { address })
  }
}

/** The session was closed (locally or by the peer) while an operation needed it. */
export class SessionClosedError extends DwcpError<{ reason: string }> {
  constructor(reason: string) {
    super('DWCP_ERR_SESSION_CLOSED', `session closed: ${reason}`, { reason })
  }
}

/** A bounded queue refused more work. */
export class QueueFullError extends DwcpError<{ queue: string; limit: number }> {
  constructor(queue: string, limit: number) {
    super('DWCP_ERR_QUEUE_FULL', `${queue} is full (limit ${limit})`, { queue, limit })
  }
}

/** The receiving side declined an incoming transfer. */
export class TransferRejectedError extends DwcpError<{ transferId: string; reason: string }> {
  constructor(transferId: string, reason: string) {
    super('DWCP_ERR_TRANSFER_REJECTED', `transfer ${transferId} rejected: ${reason}`, { transferId, reason })
  }
}

/** A bulk transfer could not complete (source or sink failed, or the peer gave up). */
export class TransferFailedError extends DwcpError<{ transferId: string; reason: string }> {
  constructor(transferId: string, reason: string, cause?: unknown) {
    super(
      'DWCP_ERR_TRANSFER_FAILED',
      `transfer ${transferId} failed: ${reason}`,
      { transferId, reason },
      { cause },
    )
  }
}

/** The end-to-end digest of a transfer did not match: the received object is not the sent one. */
export class DigestMismatchError extends DwcpError<{ transferId: string; expected: string; actual: string }> {
  constructor(transferId: string, expected: string, actual: string) {
    super('DWCP_ERR_DIGEST_MISMATCH', `transfer ${transferId}: digest ${actual} does not match ${expected}`, {
      transferId,
      expected,
      actual,
    })
  }
}

/** The native addon could not be loaded; `reason` says why (missing binary, missing libucx…). */
export class NativeUnavailableError extends DwcpError<{ reason: string }> {
  constructor(reason: string, cause?: unknown) {
    super('DWCP_ERR_NATIVE_UNAVAILABLE', `native addon unavailable: ${reason}`, { reason }, { cause })
  }
}

/** A socket option could not be set or read (unknown congestion algorithm, not a TCP socket, EPERM…). */
export class SocketOptionError extends DwcpError<{ option: string; errno: number; reason: string }> {
  constructor(option: string, errno: number, reason: string) {
    super('DWCP_ERR_SOCKET_OPTION', `socket option ${option}: ${reason}`, { option, errno, reason })
  }
}

/**
 * A UCX operation failed; `status` is the `ucs_status_t` value and `statusName` its name (e.g.
 * `UCS_ERR_CONNECTION_RESET`, `UCS_ERR_UNREACHABLE`).
 */
export class UcxError extends DwcpError<{ operation: string; status: number; statusName: string }> {
  constructor(operation: string, status: number, statusName: string, message?: string) {
    super('DWCP_ERR_UCX', `${operation}: ${message ?? statusName}`, { operation, status, statusName })
  }
}

/** A state store (`state.db`, a backup) failed its integrity check or does not have the expected layout. */
export class StateCorruptError extends DwcpError<{ path: string; reason: string }> {
  constructor(path: string, reason: string) {
    super('DWCP_ERR_STATE_CORRUPT', `state store ${path} is corrupt: ${reason}`, { path, reason })
  }
}

/** A state store belongs to another node, cluster or application, or to an unknown schema version. */
export class StateForeignError extends DwcpError<{ path: string; reason: string }> {
  constructor(path: string, reason: string) {
    super('DWCP_ERR_STATE_FOREIGN', `state store ${path} is not this node's: ${reason}`, { path, reason })
  }
}

/** A request that only the consensus leader can serve reached another node; `leader` names it when known. */
export class NotLeaderError extends DwcpError<{ leader: string | undefined }> {
  constructor(leader: string | undefined) {
    super(
      'DWCP_ERR_NOT_LEADER',
      `not the leader${leader ? ` (the leader is ${leader})` : ' (no leader known)'}`,
      {
        leader,
      },
    )
  }
}
