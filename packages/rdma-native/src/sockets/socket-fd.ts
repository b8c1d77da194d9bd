/**
 * Internal plumbing of the socket wrappers: the lazily loaded binding, the file descriptor behind a live
 * `net.Socket` (checked to be TCP), and native errors turned into `SocketOptionError`.
 */
import { Socket } from 'node:net'
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { InvalidArgumentError, SocketOptionError } from '@dwcp/core'
import { loadNative } from '../loader.js'
import type { NativeSocketError, SocketsBinding } from './binding.js'

const { EBADF, EOPNOTSUPP } = constants.errno
const AF_UNIX = 1
const AF_INET = 2
const AF_INET6 = 10
const SOCK_STREAM = 1
const IPPROTO_TCP = 6
const IPPROTO_MPTCP = 262

/** The parts of a libuv handle (TCP, or TLSWrap over one) that lead to the file descriptor. */
interface HandleLike {
  fd?: unknown
  _parent?: HandleLike
}

let binding: SocketsBinding | undefined
/** Handles already checked to be TCP sockets: a handle keeps one file descriptor for its whole life. */
const checkedTcp = new WeakSet<object>()

/**
 * The native binding, loaded on first use (see `loadNative`) and kept.
 *
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when the addon cannot be loaded
 */
export function socketsBinding(): SocketsBinding {
  binding ??= loadNative()
  return binding
}

/**
 * The file descriptor of a live TCP `net.Socket` (a `tls.TLSSocket` too), for the native call that will read or
 * set `option`.
 *
 * @throws InvalidArgumentError when `socket` is not a `net.Socket`
 * @throws SocketOptionError (`EBADF`) when the socket is destroyed or has no file descriptor yet (not
 *   connected, or still resolving the address it connects to); (`EOPNOTSUPP`) when it is not a TCP socket
 * @throws NativeUnavailableError when the addon cannot be loaded
 */
export function tcpSocketFd(socket: Socket, option: string): number {
  if (!(socket instanceof Socket)) throw new InvalidArgumentError('socket', 'not a net.Socket')
  const handle = (socket as unknown as { _handle?: HandleLike | null })._handle ?? undefined
  const fd = fdOf(handle) ?? fdOf(handle?._parent)
  if (fd === undefined || handle === undefined) {
    throw new SocketOptionError(option, EBADF, noFdReason(socket, handle))
  }
  if (!checkedTcp.has(handle)) {
    const kind = callNative(option, () => socketsBinding().socketProtocol(fd))
    const inet = kind.domain === AF_INET || kind.domain === AF_INET6
    const tcp = kind.protocol === IPPROTO_TCP || kind.protocol === IPPROTO_MPTCP
    if (!inet || kind.type !== SOCK_STREAM || !tcp) {
      const what =
        kind.domain === AF_UNIX
          ? 'a Unix domain socket'
          : `domain ${kind.domain}, type ${kind.type}, protocol ${kind.protocol}`
      throw new SocketOptionError(option, EOPNOTSUPP, `fd ${fd} is not a TCP socket (${what})`)
    }
    checkedTcp.add(handle)
  }
  return fd
}

/**
 * Runs a native call for `option`, turning the `Error` it throws for a failed system call into
 * `SocketOptionError` (`option`, the `errno`, and a reason naming the call, the errno's name and `hint(errno)` if
 * any; the native error is its `cause`). Other errors pass through.
 */
export function callNative<T>(option: string, run: () => T, hint?: (errno: number) => string | undefined): T {
  try {
    return run()
  } catch (err) {
    if (!isNativeSocketError(err)) throw err
    const text = err.message.slice(err.message.indexOf('): ') + 3)
    const extra = hint?.(err.errno)
    const reason = `${err.syscall}(fd ${err.fd}, ${err.option}) failed with ${errnoName(err.errno)}: ${text}${
      extra === undefined ? '' : `; ${extra}`
    }`
    const error = new SocketOptionError(option, err.errno, reason)
    Object.defineProperty(error, 'cause', { value: err, configurable: true, writable: true })
    throw error
  }
}

/** The symbolic name of an errno value (`ENOENT`), or `errno N` when Node does not know it. */
export function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno)
  } catch {
    return `errno ${errno}`
  }
}

function fdOf(handle: HandleLike | undefined): number | undefined {
  const fd = handle?.fd
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined
}

function noFdReason(socket: Socket, handle: HandleLike | undefined): string {
  if (socket.destroyed) return 'the socket is destroyed: it has no file descriptor'
  if (socket.connecting)
    return 'the socket is not connected yet (resolving its address): no file descriptor yet'
  if (handle === undefined) return 'the socket is not connected: it has no file descriptor'
  return 'the socket has no file descriptor (it is not backed by a kernel socket)'
}

function isNativeSocketError(err: unknown): err is NativeSocketError {
  return (
    err instanceof Error &&
    typeof (err as Partial<NativeSocketError>).errno === 'number' &&
    typeof (err as Partial<NativeSocketError>).option === 'string' &&
    typeof (err as Partial<NativeSocketError>).syscall === 'string'
  )
}
