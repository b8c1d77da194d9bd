/**
 * Test support for the socket tests (not exported by the package): real loopback TCP connections that are all
 * closed again, and whether the tests that need the built addon run.
 */
import { once } from 'node:events'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { nativeStatus } from '../loader.js'

/** Whether the native tests run: the addon loads, or CI demands it (`DWCP_REQUIRE_NATIVE=1`, then they fail). */
export function nativeTestGate(): { run: boolean; required: boolean; note: string } {
  const status = nativeStatus()
  const required = process.env.DWCP_REQUIRE_NATIVE === '1'
  const note = status.available ? '' : ` [native addon unavailable: ${status.reason}]`
  return { run: status.available || required, required, note }
}

/** One loopback TCP connection: the dialing side and the side the server accepted. */
export interface LoopbackPair {
  client: Socket
  accepted: Socket
}

/** Opens loopback TCP connections on 127.0.0.1 and closes every socket and server it made in {@link close}. */
export class Loopback {
  readonly #servers: Server[] = []
  readonly #sockets: Socket[] = []

  /** A listening server on 127.0.0.1 with an ephemeral port. */
  async server(): Promise<Server> {
    const server = createServer((socket) => this.#sockets.push(socket))
    this.#servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return server
  }

  /** A connected client and the server's accepted socket. */
  async pair(): Promise<LoopbackPair> {
    const server = await this.server()
    const acceptedPromise = once(server, 'connection') as Promise<[Socket]>
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
    const client = tcpConnect(address.port, '127.0.0.1')
    this.#sockets.push(client)
    await once(client, 'connect')
    const [accepted] = await acceptedPromise
    return { client, accepted }
  }

  /** Registers a socket made elsewhere, to be destroyed in {@link close}. */
  track(socket: Socket): Socket {
    this.#sockets.push(socket)
    return socket
  }

  /** Destroys every socket and closes every server, waiting until each is closed. */
  async close(): Promise<void> {
    const closing: Promise<unknown>[] = []
    for (const socket of this.#sockets.splice(0)) {
      if (!socket.closed) closing.push(once(socket, 'close'))
      socket.destroy()
    }
    for (const server of this.#servers.splice(0)) {
      if (server.listening) closing.push(new Promise((resolve) => server.close(resolve)))
    }
    await Promise.all(closing)
  }
}

/**
 * Active libuv resources that are TCP sockets or servers, or Unix socket servers (the test runner's own IPC
 * channel is a plain pipe, not counted), once they settle: a socket's handle can outlive its `close` event by a
 * turn of the event loop, so this polls for up to `timeoutMs`. Empty once every test closed what it opened.
 */
export async function openSocketResources(timeoutMs = 1_000): Promise<string[]> {
  const open = () =>
    process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP') || name === 'PipeServerWrap')
  for (let waitedMs = 0; open().length > 0 && waitedMs < timeoutMs; waitedMs += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return open()
}
