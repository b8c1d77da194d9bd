import { createServer } from 'node:net'

/** Ports handed out to child processes: below Linux's ephemeral range (32768–60999). */
const LOW_PORT = 20_000
const HIGH_PORT = 32_000

/**
 * A TCP port free on loopback now, for a child process to listen on later. It is drawn at random below the
 * ephemeral range and checked by binding it: a port the OS hands out (port 0) is an ephemeral one, which an
 * outgoing connection of a concurrent test may take before the child binds it (EADDRINUSE in CI). Test support.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOW_PORT + Math.floor(Math.random() * (HIGH_PORT - LOW_PORT))
    if (await canListen(port)) return port
  }
  throw new Error(`no free port found in ${LOW_PORT}–${HIGH_PORT}`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
